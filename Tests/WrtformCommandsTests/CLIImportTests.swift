import Foundation
import Testing
import VirtualRouter
import WrtformUCI

/// `wrtform import`: every fixture router and hand-made configs give a playbook that validates and
/// plans clean against the router it came from; no secret value leaves; --adopt records ownership.
@Suite struct CLIImportTests {
    static let routers = ["openwrt-24.10", "ocn-mape"]

    /// A copy of a fixture router in a fresh directory.
    static func router(_ name: String = "openwrt-24.10") throws -> URL {
        let directory = try CLI.temporaryDirectory().appendingPathComponent("root")
        try FileManager.default.copyItem(
            at: CLI.repository.appendingPathComponent("Fixtures/routers/\(name)"), to: directory)
        return directory
    }

    static func write(_ text: String, _ path: String, in root: URL, mode: Int = 0o644) throws {
        let url = root.appendingPathComponent(String(path.dropFirst()))
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: NSNumber(value: mode)], ofItemAtPath: url.path)
    }

    /// Import → validate → plan exits 0 (the config matches; only recording ownership would be
    /// written) → import --adopt → plan exits 0 with nothing at all to write.
    static func roundTrip(_ root: URL, environment: [String: String] = CLI.environment(), extra: [String] = [])
        async throws -> CLIResult
    {
        let output = try CLI.temporaryDirectory().appendingPathComponent("imported.yml").path
        let imported = await CLI.run(["import", "--root", root.path, "-o", output] + extra, environment: environment)
        #expect(imported.code == 0, "\(imported.stderr)")
        let validate = await CLI.run(["validate", output], environment: environment)
        #expect(validate.code == 0, "\(validate.all)")
        let plan = await CLI.run(["plan", output, "--root", root.path], environment: environment)
        // The configuration matches: exit 0. Recording what the playbook owns is all apply would write.
        #expect(plan.code == 0, "\(plan.all)")
        #expect(
            plan.stdout.contains("No changes: the router matches the playbook (apply would record what it owns)."),
            "\(plan.all)")
        #expect(
            plan.stdout.components(separatedBy: "\n+++ ").count == 2
                && plan.stdout.contains("+++ /etc/wrtform/owners.json"), "\(plan.stdout)")
        let adopted = await CLI.run(
            ["import", "--root", root.path, "-o", output, "--adopt"] + extra, environment: environment)
        #expect(adopted.code == 0, "\(adopted.stderr)")
        let clean = await CLI.run(["plan", output, "--root", root.path], environment: environment)
        #expect(clean.code == 0, "\(clean.all)")
        #expect(clean.stdout.contains("No changes: the router matches the playbook.\n"))
        #expect(!clean.stdout.contains("owners.json"))
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        return CLIResult(
            code: imported.code, stdout: text, stderr: imported.stderr + adopted.stderr + plan.all + clean.all)
    }

    @Test(arguments: routers) func everyFixtureRouterRoundTripsOffline(_ name: String) async throws {
        for extra in [[], ["--include-stock"], ["--all"], ["--all", "--include-stock"]] {
            let root = try Self.router(name)
            let result = try await Self.roundTrip(root, extra: extra)
            #expect(result.stdout.contains("steps:"))
        }
    }

    @Test func stockSectionsAreLeftOutUnlessChangedOrAsked() async throws {
        let root = try Self.router()
        try Self.write(
            "[ ifup = \"$ACTION\" ] && ubus call network.device status\n", "/etc/hotplug.d/iface/00-netstate", in: root)
        try Self.write("logger mine\n", "/etc/hotplug.d/iface/99-mine", in: root)
        let plain = await CLI.run(["import", "--root", root.path])
        #expect(plain.code == 0)
        #expect(plain.stdout.contains("- id: hotplug-iface-99-mine\n") && !plain.stdout.contains("00-netstate"))
        // The fixture's wan zone forwards DROP where a fresh 24.10 says REJECT: changed, so imported.
        #expect(plain.stdout.contains("- id: zone-wan"))
        #expect(!plain.stdout.contains("- id: zone-lan"))
        #expect(!plain.stdout.contains("Allow-Ping"))
        #expect(!plain.stdout.contains("- id: lan\n"))
        let stock = await CLI.run(["import", "--root", root.path, "--include-stock"])
        #expect(stock.stdout.contains("- id: zone-lan"))
        #expect(stock.stdout.contains("match:\n        name: 'Allow-Ping'"))
        #expect(stock.stdout.contains("- id: lan\n"))
        #expect(stock.stdout.contains("section: '@defaults[0]'"))
        let zones = await CLI.run(["import", "--root", root.path, "--include-stock", "--kind", "firewall-zone"])
        #expect(
            zones.stdout.contains("- id: zone-lan") && !zones.stdout.contains("Allow-Ping")
                && !zones.stdout.contains("interface:"))
        let network = await CLI.run([
            "import", "--root", root.path, "--include-stock", "--config", "network", "--interface", "wan",
        ])
        #expect(
            network.stdout.contains("- id: wan\n") && !network.stdout.contains("- id: lan\n")
                && !network.stdout.contains("zone"))
        let missing = await CLI.run(["import", "--root", root.path, "--config", "firewall,nope"])
        #expect(missing.code == 1 && missing.stdout.isEmpty)
        #expect(
            missing.stderr.contains(
                "--config nope: the router has no /etc/config/nope (it has: dhcp, dropbear, firewall, network, system)")
        )
        let bad = await CLI.run(["import", "--root", root.path, "--kind", "redirects"])
        #expect(bad.code != 0 && bad.stderr.contains("--kind redirects: not a step kind"))
    }

    static let pppoePassword = "Imp0rt-S3cr3t-'\"$(reboot)"
    static let wifiKey = "Wifi-S3cr3t-key-77"
    static let ddnsPassword = "Ddns-S3cr3t-91"

    /// A router set up by hand over the years: a PPPoE session with a password, unnamed sections,
    /// odd quoting, a list written as one space-separated option, a redirect without proto, a
    /// hotplug hook and a password file it reads, routing tables and sysupgrade.conf lines.
    static func handMadeRouter() throws -> URL {
        let root = try router()
        let quoted = pppoePassword.replacingOccurrences(of: "'", with: "'\\''")
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("etc/hotplug.d/iface"), withIntermediateDirectories: true)
        let network =
            try String(contentsOf: root.appendingPathComponent("etc/config/network"), encoding: .utf8) + """

                config interface wanppp
                \toption proto pppoe ; option device "wan"
                \toption username 'ocn-S3cr3t-user'
                \toption password '\(quoted)'
                \toption ipv6 0
                \toption ip4table "pppoe"

                config rule
                \toption in lan
                \toption src 192.168.1.5/32
                \toption lookup pppoe
                \toption priority 100

                config rule
                \toption in lan
                \toption src 192.168.1.6
                \toption lookup pppoe

                config route
                \toption interface lan
                \toption target 10.9.0.0/16
                \toption gateway 192.168.1.254

                """
        try write(network, "/etc/config/network", in: root)
        let firewall =
            try String(contentsOf: root.appendingPathComponent("etc/config/firewall"), encoding: .utf8) + """

                config zone
                \toption name wan_pppoe
                \toption network 'wanppp other'
                \toption input REJECT
                \toption output ACCEPT
                \toption forward REJECT
                \toption masq 1

                config forwarding
                \toption src lan
                \toption dest wan_pppoe

                config redirect
                \toption name "server-443"
                \toption src wan_pppoe
                \toption src_dport 443
                \toption dest lan
                \toption dest_ip 192.168.1.5
                \toption proto tcp
                \toption dest_port 443
                \toption family ipv4
                \toption target DNAT

                config redirect
                \toption src wan
                \toption src_dport 2222
                \toption dest_ip 192.168.1.7
                \toption dest_port 22

                config rule
                \toption src wan_pppoe
                \toption proto 'tcp'
                \toption dest_port '8443'
                \toption target ACCEPT

                config rule 'named_rule'
                \toption src wan ; option proto udp
                \toption dest_port 51820
                \toption target ACCEPT

                """
        try write(firewall, "/etc/config/firewall", in: root)
        try write(
            "\nconfig wifi-iface 'default_radio0'\n\toption ssid 'home'\n\toption key '\(wifiKey)'\n\toption encryption 'sae'\n",
            "/etc/config/wireless", in: root)
        try write(
            try String(contentsOf: root.appendingPathComponent("etc/iproute2/rt_tables"), encoding: .utf8)
                + "300\tpppoe\n301 other\n",
            "/etc/iproute2/rt_tables", in: root)
        try write(
            "# keep\n/etc/iproute2/rt_tables\n/etc/hotplug.d/iface/40-pppoe\n/etc/ddns.secret\n",
            "/etc/sysupgrade.conf", in: root)
        try write(
            "#!/bin/sh\n[ \"$INTERFACE\" = wanppp ] || exit 0\nlogger -t ddns \"update for $ACTION\"\n\n",
            "/etc/hotplug.d/iface/40-pppoe", in: root)
        try write(
            "#!/bin/sh\n# a hook with the PPPoE password pasted in: \(pppoePassword)\n",
            "/etc/hotplug.d/iface/50-pasted", in: root, mode: 0o755)
        try write("\(ddnsPassword)\n", "/etc/ddns.secret", in: root, mode: 0o600)
        return root
    }

    static var handMadeEnvironment: [String: String] {
        var environment = CLI.environment()
        environment["WRTFORM_WANPPP_PASSWORD"] = pppoePassword
        environment["WRTFORM_WANPPP_USERNAME"] = "ocn-S3cr3t-user"
        environment["WRTFORM_DEFAULT_RADIO0_KEY"] = wifiKey
        environment["WRTFORM_DDNS_SECRET"] = ddnsPassword
        return environment
    }

    @Test func aHandMadeRouterRoundTripsWithoutItsSecrets() async throws {
        let root = try Self.handMadeRouter()
        let result = try await Self.roundTrip(root, environment: Self.handMadeEnvironment, extra: ["--all"])
        let text = result.stdout
        for secret in [Self.pppoePassword, Self.wifiKey, Self.ddnsPassword, "ocn-S3cr3t-user", "S3cr3t"] {
            #expect(!text.contains(secret) && !result.stderr.contains(secret), "secret in the import: \(secret)")
        }
        #expect(result.stderr.contains("export WRTFORM_WANPPP_PASSWORD=…"))
        #expect(result.stderr.contains("export WRTFORM_DEFAULT_RADIO0_KEY=…"))
        #expect(result.stderr.contains("export WRTFORM_DDNS_SECRET=…"))
        #expect(text.contains("wanppp_password: { env: WRTFORM_WANPPP_PASSWORD }"))
        #expect(text.contains("password: \"{{ wanppp_password }}\""))
        #expect(text.contains("pasted in: {{ wanppp_password }}"))
        #expect(text.contains("content: \"{{ ddns_secret }}\\n\""))
        #expect(text.contains("- id: table-pppoe\n    routing-table:"))
        // The interface step would add a `config device` for its port (none here): kept as it is.
        #expect(text.contains("- id: network-wanppp\n    uci-section:"))
        #expect(
            text.contains("- id: zone-wan_pppoe\n    uci-section:"), "a space-separated network option is kept as it is"
        )
        #expect(text.contains("- id: forwarding-lan-wan_pppoe\n    forwarding:"))
        #expect(text.contains("- id: forward-server-443\n    redirect:"))
        #expect(text.contains("- id: rule-100\n    network-rule:"))
        // The server's address, used by the redirect and the rule, is one variable.
        #expect(
            text.contains(
                "vars:\n  rule_100_src: '192.168.1.5'   # used by rule-100 (src), forward-server-443 (dest_ip)"),
            "\(text)")
        #expect(text.contains("src: \"{{ rule_100_src }}/32\"") && text.contains("dest_ip: \"{{ rule_100_src }}\""))
        #expect(text.contains("# /etc/config/firewall, section 17 (unnamed redirect)"))
        #expect(
            text.contains("- id: redirect-wan-2222-192.168.1.7\n    uci-section:"),
            "no proto: fw4 reads tcp+udp, the step would write tcp")
        #expect(!text.contains("file-rt_tables"))
        #expect(text.contains("- id: firewall-named_rule\n    uci-section:"))
        #expect(text.contains("- id: hotplug-iface-40-pppoe\n    file:"))
        #expect(text.contains("- id: keep-on-upgrade\n    sysupgrade-keep:"))
        // Dependency order: tables, interfaces, zones, forwardings, rules, redirects, files.
        let order = [
            "table-pppoe", "network-wanppp", "zone-wan_pppoe", "forwarding-lan-wan_pppoe", "rule-100",
            "forward-server-443",
            "hotplug-iface-40-pppoe", "keep-on-upgrade",
        ].compactMap { text.range(of: "- id: \($0)\n")?.lowerBound }
        #expect(order.count == 8 && order == order.sorted())

        // A wrong secret value is a pending change, so the round trip above really compared them.
        var wrong = Self.handMadeEnvironment
        wrong["WRTFORM_WANPPP_PASSWORD"] = "not-the-router's"
        let output = try CLI.playbook(text)
        let plan = await CLI.run(["plan", output, "--root", root.path], environment: wrong)
        #expect(plan.code == 2)
        #expect(plan.stdout.contains("network-wanppp (uci-section): update"), "\(plan.stdout)")
    }

    @Test(arguments: ["firewall-24.10-stock", "luci-firewall", "ocn-dualstack-firewall", "odd-quoting"])
    func handMadeFirewallsRoundTrip(_ fixture: String) async throws {
        let root = try Self.router()
        try FileManager.default.removeItem(at: root.appendingPathComponent("etc/config/firewall"))
        try FileManager.default.copyItem(
            at: CLI.repository.appendingPathComponent("Fixtures/uci/\(fixture)"),
            to: root.appendingPathComponent("etc/config/firewall"))
        _ = try await Self.roundTrip(root, extra: ["--include-stock"])
    }

    @Test(arguments: ["network-24.10-stock", "network-mape-jp", "ocn-dualstack-network", "odd-crlf"])
    func handMadeNetworksRoundTrip(_ fixture: String) async throws {
        let root = try Self.router()
        try FileManager.default.removeItem(at: root.appendingPathComponent("etc/config/network"))
        try FileManager.default.copyItem(
            at: CLI.repository.appendingPathComponent("Fixtures/uci/\(fixture)"),
            to: root.appendingPathComponent("etc/config/network"))
        var environment = CLI.environment()
        environment["WRTFORM_WANPPP_USERNAME"] = "user@one.ocn.ne.jp"
        environment["WRTFORM_WANPPP_PASSWORD"] = "example-pppoe-secret"
        _ = try await Self.roundTrip(root, environment: environment, extra: ["--include-stock"])
    }

    /// Values YAML would misread unquoted, and scripts a `|` block cannot say, read back the same.
    @Test func oddValuesAndScriptsSurviveTheYAML() async throws {
        let root = try Self.router()
        try Self.write(
            """
            config odd 'values'
            \toption colon 'a: b # c'
            \toption unicode 'café ✓ 日本'
            \toption dash '- dash'
            \toption braces '{ braces }'
            \toption star '*star'
            \toption amp '&anchor'
            \toption bang '!tag'
            \toption yes 'yes'
            \toption on 'null'
            \toption y '~'
            \toption empty ''
            \toption quotes 'it'\\''s "q" \\ back'
            \toption number '0777'
            \tlist words 'a b'
            \tlist words 'on'

            """, "/etc/config/odd", in: root)
        let scripts = [
            "crlf": "#!/bin/sh\r\necho crlf\r\n", "indented": "  echo first line indented\n",
            "blankline": "echo a\n   \necho b\n", "noeol": "echo no newline at the end",
            "trailing": "echo three newlines\n\n\n", "separator": "echo \u{2028} line separator\n",
            "tabs": "if true; then\n\techo tab\nfi\n",
        ]
        for (name, text) in scripts { try Self.write(text, "/etc/hotplug.d/iface/90-\(name)", in: root) }
        let result = try await Self.roundTrip(root, extra: ["--all"])
        #expect(result.stdout.contains("- id: odd-values\n"))
        for name in scripts.keys { #expect(result.stdout.contains("- id: hotplug-iface-90-\(name)\n"), "\(name)") }
        #expect(result.stdout.contains("'on': 'null'"))
        #expect(!result.stderr.contains("left out"), "\(result.stderr)")
    }
}
