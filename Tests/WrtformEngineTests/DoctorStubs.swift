import Foundation
import Testing
import VirtualRouter
import WrtformEngine

/// What a live OCN router running the recipe prints — `ip addr`, `ip rule`, `ip route`, `ifstatus`,
/// `nft list ruleset`, `nslookup` — for the things the sandbox cannot be: it has no PPP in its kernel
/// (so no pppoe-wanppp), no netifd, no fw4/nft, and no resolver we may query.
///
/// `install` writes each as a small ash script. The sandbox's PATH is /usr/sbin:/usr/bin:/sbin:/bin,
/// so a script in /usr/sbin SHADOWS busybox's applet of the same name (ip is /sbin/ip, nslookup is
/// /usr/bin/nslookup there); ifstatus goes where OpenWrt has it (/sbin). Anything the stub does not
/// know falls through to the real applet. Addresses are text only: nothing is ever sent to them.
struct DoctorStubs: Sendable {
    struct Output: Sendable {
        var text: String
        var status: Int32 = 0
    }

    static let address = "153.240.10.20"
    static let peer = "118.23.1.1"
    static let host = "home.example.net"

    var addr = Output(
        text: """
            7: pppoe-wanppp: <POINTOPOINT,MULTICAST,NOARP,UP,LOWER_UP> mtu 1454 qdisc fq_codel state UNKNOWN qlen 3
                link/ppp
                inet \(address) peer \(peer)/32 scope global pppoe-wanppp
                   valid_lft forever preferred_lft forever
            """)
    /// nil: no ifstatus on this router (doctor falls back to `ip addr`).
    var ifstatus: Output? = Output(
        text: """
            {
            \t"up": true,
            \t"pending": false,
            \t"available": true,
            \t"autostart": true,
            \t"uptime": 3600,
            \t"l3_device": "pppoe-wanppp",
            \t"proto": "pppoe",
            \t"device": "wan",
            \t"metric": 10,
            \t"ipv4-address": [
            \t\t{
            \t\t\t"address": "\(address)",
            \t\t\t"mask": 32,
            \t\t\t"ptpaddress": "\(peer)"
            \t\t}
            \t],
            \t"route": [
            \t\t{ "target": "0.0.0.0", "mask": 0, "nexthop": "\(peer)", "source": "0.0.0.0/0", "table": 300 }
            \t],
            \t"dns-server": [ ],
            \t"data": { }
            }
            """)
    var rules = Output(
        text: """
            0:\tfrom all lookup local
            10000:\tfrom \(address) lookup pppoe
            20000:\tfrom all to \(address) lookup pppoe
            32765:\tfrom 192.168.1.5 iif br-lan lookup pppoe
            32766:\tfrom all lookup main
            32767:\tfrom all lookup default
            90007:\tfrom all iif lo lookup pppoe
            """)
    var routes = Output(
        text: """
            default via \(peer) dev pppoe-wanppp proto static
            \(peer) dev pppoe-wanppp proto kernel scope link src \(address)
            """)
    /// nil: no nft on this router.
    var nft: Output? = Output(text: DoctorStubs.ruleset())
    /// `pidof crond`: running (nil: not running). cron is enabled when /etc/rc.d has its link.
    var crondRunning = true
    var cronEnabled = true
    /// The shared port under the session: `sysctl -n net.ipv6.conf.wan.disable_ipv6` and `ip -o link show dev wan`.
    var disableIPv6 = Output(text: "0")
    var link = Output(
        text:
            "3: wan: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc mq state UP mode DEFAULT group default qlen 1000\\    link/ether 02:00:00:00:00:02 brd ff:ff:ff:ff:ff:ff"
    )
    /// `ip neigh show`: the server by its IPv4 and its IPv6 addresses (one global, ending in ::5).
    var neighbours = Output(
        text: """
            192.168.1.5 dev br-lan lladdr 02:00:00:00:00:05 ref 1 used 0/0/0 probes 1 REACHABLE
            192.168.1.23 dev br-lan lladdr 02:00:00:00:00:23 used 0/0/0 probes 1 STALE
            fe80::5 dev br-lan lladdr 02:00:00:00:00:05 used 0/0/0 probes 1 STALE
            240b:10:2a40:7b00::5 dev br-lan lladdr 02:00:00:00:00:05 used 0/0/0 probes 1 REACHABLE
            240b:10:2a40:7b00::23 dev br-lan lladdr 02:00:00:00:00:23 used 0/0/0 probes 1 STALE
            """)
    /// Host → what nslookup prints; `hang` makes it never answer.
    var nslookup: [String: Output] = [host: DoctorStubs.answer(host, address)]
    var hangingLookups: Set<String> = []

    /// fw4's ruleset as `nft list ruleset` prints it once loaded (the parts doctor reads, and some others).
    static func ruleset(
        masquerade: Bool = true, mssFix: Bool = true, forwarding: Bool = true, dnatPort: String? = "443",
        ipv6Rule: Bool = true
    ) -> String {
        """
        table inet fw4 {
        \tchain input {
        \t\ttype filter hook input priority filter; policy drop;
        \t\tiifname "lo" accept comment "!fw4: Accept traffic from loopback"
        \t\tiifname "br-lan" jump input_lan comment "!fw4: Handle lan IPv4/IPv6 input traffic"
        \t\tiifname "pppoe-wanppp" jump input_wan_pppoe comment "!fw4: Handle wan_pppoe IPv4/IPv6 input traffic"
        \t}

        \tchain forward_lan {
        \(forwarding ? "\t\tjump accept_to_wan_pppoe comment \"!fw4: Accept lan to wan_pppoe forwarding\"\n" : "")\
        \t\tjump accept_to_wan comment "!fw4: Accept lan to wan forwarding"
        \t\tjump accept_to_lan
        \t}

        \tchain forward_wan {
        \(ipv6Rule ? "\t\tmeta nfproto ipv6 tcp dport 443 ip6 daddr & ::ffff:ffff:ffff:ffff == ::5 counter packets 0 bytes 0 jump accept_to_lan comment \"!fw4: server-https-v6\"\n" : "")\
        \t\tjump reject_to_wan
        \t}

        \tchain input_wan_pppoe {
        \t\tct status dnat accept comment "!fw4: Accept port redirections"
        \t\tjump reject_from_wan_pppoe
        \t}

        \tchain dstnat {
        \t\ttype nat hook prerouting priority dstnat; policy accept;
        \t\tiifname "pppoe-wanppp" jump dstnat_wan_pppoe comment "!fw4: Handle wan_pppoe IPv4/IPv6 dstnat traffic"
        \t}

        \tchain srcnat {
        \t\ttype nat hook postrouting priority srcnat; policy accept;
        \t\toifname "pppoe-wanppp" jump srcnat_wan_pppoe comment "!fw4: Handle wan_pppoe IPv4/IPv6 srcnat traffic"
        \t}

        \tchain dstnat_wan_pppoe {
        \(dnatPort.map { "\t\tmeta nfproto ipv4 tcp dport \($0) counter packets 0 bytes 0 dnat ip to 192.168.1.5:443 comment \"!fw4: https-server\"\n" } ?? "")\
        \t}

        \tchain srcnat_wan_pppoe {
        \(masquerade ? "\t\tmeta nfproto ipv4 masquerade comment \"!fw4: Masquerade IPv4 wan_pppoe traffic\"\n" : "")\
        \t}

        \tchain mangle_forward {
        \t\ttype filter hook forward priority mangle; policy accept;
        \(mssFix ? "\t\tiifname \"pppoe-wanppp\" tcp flags syn / fin,syn,rst tcp option maxseg size set rt mtu comment \"!fw4: Zone wan_pppoe IPv4/IPv6 ingress MTU fixing\"\n" : "")\
        \t}

        \tchain mangle_postrouting {
        \t\ttype filter hook postrouting priority mangle; policy accept;
        \(mssFix ? "\t\toifname \"pppoe-wanppp\" tcp flags syn / fin,syn,rst tcp option maxseg size set rt mtu comment \"!fw4: Zone wan_pppoe IPv4/IPv6 egress MTU fixing\"\n" : "")\
        \t}
        }
        """
    }

    /// busybox nslookup's answer for `host`.
    static func answer(_ host: String, _ address: String) -> Output {
        Output(
            text: """
                Server:\t\t127.0.0.1
                Address:\t127.0.0.1:53

                Non-authoritative answer:
                Name:\t\(host)
                Address: \(address)

                """)
    }

    static func notFound(_ host: String) -> Output {
        Output(
            text: "Server:\t\t127.0.0.1\nAddress:\t127.0.0.1:53\n\n** server can't find \(host): NXDOMAIN\n", status: 1)
    }

    /// The router's ip when wanppp is down: the device does not exist.
    static let noDevice = Output(text: "ip: can't find device 'pppoe-wanppp'", status: 1)

    func install(on router: VirtualRouter) throws {
        var ip =
            "#!/bin/sh\n# doctor test stub: shadows busybox's ip (/sbin/ip) from /usr/sbin; there is no pppoe-wanppp here.\ncase \"$*\" in\n"
        ip += Self.branch("addr show dev pppoe-wanppp", addr)
        ip += Self.branch("-4 rule show", rules)
        ip += Self.branch("-4 route show table pppoe", routes)
        ip += Self.branch("-o link show dev wan", link)
        ip += Self.branch("neigh show", neighbours)
        ip += "*) exec /bin/busybox ip \"$@\" ;;\nesac\n"
        try Self.script(router, "/usr/sbin/ip", ip)
        try Self.script(
            router, "/usr/sbin/pidof",
            "#!/bin/sh\n# doctor test stub: crond.\n"
                + (crondRunning ? "[ \"$1\" = crond ] && { echo 1234; exit 0; }\n" : "") + "exit 1\n")
        if cronEnabled {
            try Self.script(router, "/etc/rc.d/S50cron", "#!/bin/sh\n# doctor test stub: cron enabled at boot.\n")
        }
        try Self.script(
            router, "/usr/sbin/sysctl",
            "#!/bin/sh\n# doctor test stub: the shared port's IPv6 switch.\ncase \"$*\" in\n"
                + Self.branch("-n net.ipv6.conf.wan.disable_ipv6", disableIPv6)
                + "*) exec /bin/busybox sysctl \"$@\" ;;\nesac\n")
        if let ifstatus {
            try Self.script(
                router, "/sbin/ifstatus",
                "#!/bin/sh\n# doctor test stub: netifd's ifstatus.\ncase \"$1\" in\n"
                    + Self.branch("wanppp", ifstatus) + "*) echo \"Interface $1 not found\"; exit 1 ;;\nesac\n")
        }
        if let nft {
            try Self.script(
                router, "/usr/sbin/nft",
                "#!/bin/sh\n# doctor test stub: nftables with fw4's ruleset loaded.\ncase \"$*\" in\n"
                    + Self.branch("list ruleset", nft) + "*) echo \"nft: not in this stub: $*\" >&2; exit 1 ;;\nesac\n")
        }
        var lookup =
            "#!/bin/sh\n# doctor test stub: shadows busybox's nslookup (/usr/bin/nslookup) from /usr/sbin; nothing is queried.\ncase \"$1\" in\n"
        for host in hangingLookups.sorted() { lookup += "'\(host)') exec sleep 60 ;;\n" }
        for (host, output) in nslookup.sorted(by: { $0.key < $1.key }) { lookup += Self.branch(host, output) }
        lookup += "*) echo \"** server can't find $1: NXDOMAIN\"; exit 1 ;;\nesac\n"
        try Self.script(router, "/usr/sbin/nslookup", lookup)
    }

    static func branch(_ pattern: String, _ output: Output) -> String {
        "'\(pattern)')\ncat <<'WRTFORM_STUB'\n\(output.text)\nWRTFORM_STUB\nexit \(output.status) ;;\n"
    }

    /// Writes an executable script into the router, replacing whatever was at that path.
    static func script(_ router: VirtualRouter, _ path: String, _ text: String) throws {
        let url = router.root.appendingPathComponent(String(path.dropFirst()))
        try? FileManager.default.removeItem(at: url)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
    }
}

/// The OCN recipe doctor examines: StepBuilder's steps, with a hook that logs under wrtform-ddns.
enum DoctorRecipe {
    static let hook =
        "#!/bin/sh\n[ \"$INTERFACE\" = wanppp ] || exit 0\n[ \"$ACTION\" = ifup ] || exit 0\nlogger -t wrtform-ddns \"updated \(DoctorStubs.host)\"\n"

    /// StepBuilder's recipe as corrected: the server's rule with a priority after the LAN's suppress_prefixlength
    /// rule, and the IPv6 traffic rule to the server's interface ID.
    static func graph() throws -> StepGraph {
        var steps = try StepBuilder.ocn().ordered.map { step -> any Step in
            switch step.id {
            case "hook":
                return try StepBuilder.step(
                    "hook", "file", ["path": "/etc/hotplug.d/iface/40-pppoe", "content": hook], line: 9)
            case "rule":
                return try StepBuilder.step(
                    "rule", "network-rule", ["in": "lan", "src": "192.168.1.5", "lookup": "pppoe", "priority": "5001"],
                    line: 6)
            default: return step
            }
        }
        steps.append(
            try StepBuilder.step(
                "lan-local", "network-rule",
                ["in": "lan", "lookup": "main", "suppress_prefixlength": "0", "priority": "5000"], line: 11))
        steps.append(
            try StepBuilder.step(
                "ddns-check", "cron-job",
                [
                    "schedule": "*/10 * * * *",
                    "command": "ACTION=check INTERFACE=wanppp /bin/sh /etc/hotplug.d/iface/40-pppoe",
                ],
                line: 13))
        steps.append(
            try StepBuilder.step(
                "https6", "firewall-rule",
                [
                    "name": "server-https-v6", "family": "ipv6", "src": "wan", "dest": "lan", "proto": "tcp",
                    "dest_ip": "::5/-64", "dest_port": "443",
                ],
                line: 12))
        return try StepGraph(steps.map { StepGraph.Node(step: $0) })
    }

    static func doctor(hostnames: [String] = [DoctorStubs.host]) throws -> Doctor {
        let setup = try #require(DoctorSetup(steps: try graph().ordered, hostnames: hostnames))
        return Doctor(setup: setup)
    }

    /// Applies the recipe straight into the router's files (the local-directory target over its root),
    /// so each doctor test starts from a router the playbook was applied to.
    static func apply(to router: VirtualRouter) async throws {
        let target = try LocalDirectoryTarget(root: router.root)
        let graph = try graph()
        let plan = try Planner().plan(graph, on: try await target.snapshot(paths: Planner.paths(for: graph), run: nil))
        _ = try await Applier(options: ApplyOptions(owner: "tester@ci", playbook: "ocn", confirmTimeout: nil)).apply(
            plan, to: target)
    }
}

/// Every path under a directory with its bytes (regular files), link target (symlinks) or nothing
/// (directories): to show a read-only operation left the whole router as it was.
enum TreeImage {
    static func of(_ root: URL) -> [String: String] {
        var image: [String: String] = [:]
        let manager = FileManager.default
        guard let walker = manager.enumerator(atPath: root.path) else { return [:] }
        while let relative = walker.nextObject() as? String {
            let path = root.appendingPathComponent(relative).path
            if let target = try? manager.destinationOfSymbolicLink(atPath: path) {
                image[relative] = "-> " + target
            } else if let attributes = try? manager.attributesOfItem(atPath: path),
                attributes[.type] as? FileAttributeType == .typeDirectory
            {
                image[relative] = "dir \((attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0)"
            } else if let data = manager.contents(atPath: path) {
                let mode = (try? manager.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? 0
                image[relative] = "\(mode) " + data.base64EncodedString()
            }
        }
        return image
    }
}
