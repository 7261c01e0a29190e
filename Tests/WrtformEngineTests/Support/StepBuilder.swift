import Foundation
import WrtformEngine

/// Builds steps the way the playbook loader would, from plain values.
enum StepBuilder {
    static func input(_ id: String, _ kind: String, _ fields: [String: Any], line: Int = 1, secret: Set<String> = [])
        -> StepInput
    {
        func field(_ value: Any, key: String) -> InputField {
            let location = SourceLocation(file: "test.yml", line: line, column: 5)
            switch value {
            case let list as [Any]:
                return InputField(.list(list.map { field($0, key: key) }), at: location, isSecret: secret.contains(key))
            case let map as [String: Any]:
                return InputField(
                    .map(map.mapValues { field($0, key: key) }), at: location, isSecret: secret.contains(key))
            default:
                return InputField(.scalar("\(value)"), at: location, isSecret: secret.contains(key))
            }
        }
        var ordered: [String: InputField] = [:]
        for (index, key) in fields.keys.sorted().enumerated() {
            var f = field(fields[key] ?? "", key: key)
            f.location = SourceLocation(file: "test.yml", line: line, column: 5 + index)
            ordered[key] = f
        }
        return StepInput(
            id: id, kind: kind, fields: ordered, location: SourceLocation(file: "test.yml", line: line, column: 3),
            baseDirectory: "/tmp")
    }

    static func step(_ id: String, _ kind: String, _ fields: [String: Any], line: Int = 1, secret: Set<String> = [])
        throws -> any Step
    {
        try StepCatalog.make(input(id, kind, fields, line: line, secret: secret))
    }

    static let ddnsPassword = "ddns-S3cr3t-'$(reboot)"
    static let pppoePassword = "pppoe-Pa55-\"`id`"

    /// The OCN dual-stack recipe as steps.
    static func ocn(server: String = "192.168.1.5") throws -> StepGraph {
        try StepGraph([
            .init(step: try step("pppoe-table", "routing-table", ["id": "300", "name": "pppoe"], line: 1)),
            .init(
                step: try step(
                    "wanppp", "interface",
                    [
                        "name": "wanppp", "proto": "pppoe", "device": "wan", "username": "user@ocn",
                        "password": pppoePassword,
                        "peerdns": "0", "metric": "10", "ip4table": "pppoe", "ipv6": "0",
                        "pppd_options": "mtu 1454 mru 1454",
                    ],
                    line: 2, secret: ["password"])),
            .init(step: try step("wan-metric", "interface-options", ["name": "wan", "metric": "1"], line: 3)),
            .init(
                step: try step(
                    "zone", "firewall-zone", ["name": "wan_pppoe", "masq": "1", "mtu_fix": "1", "network": ["wanppp"]],
                    line: 4)),
            .init(step: try step("fwd", "forwarding", ["src": "lan", "dest": "wan_pppoe"], line: 5)),
            .init(step: try step("rule", "network-rule", ["in": "lan", "src": server, "lookup": "pppoe"], line: 6)),
            .init(
                step: try step(
                    "https", "redirect",
                    [
                        "name": "https-server", "src": "wan_pppoe", "src_dport": "443", "dest": "lan",
                        "dest_ip": server, "proto": "tcp",
                    ], line: 7)),
            .init(
                step: try step(
                    "ddns-secret", "file",
                    ["path": "/etc/wrtform/ddns.secret", "content": ddnsPassword + "\n", "mode": "0600"],
                    line: 8, secret: ["content"])),
            .init(
                step: try step(
                    "hook", "file",
                    [
                        "path": "/etc/hotplug.d/iface/40-pppoe",
                        "content": "#!/bin/sh\n[ \"$INTERFACE\" = wanppp ] || exit 0\n",
                    ],
                    line: 9)),
            .init(
                step: try step(
                    "keep", "sysupgrade-keep", ["paths": ["/etc/iproute2/rt_tables", "/etc/hotplug.d/iface/40-pppoe"]],
                    line: 10)),
        ])
    }
}
