import Foundation
import Testing
import WrtformEngine
import WrtformPlaybook
import WrtformUCI

/// The OCN playbook as it lands on both fixture routers (stock 24.10, and an OCN MAP-E router): what
/// netifd and fw4 will read, checked in the files themselves — the traps real netifd showed.
@Suite struct OCNRecipeTests {
    static let routers = ["openwrt-24.10", "ocn-mape"]
    static let applier = Applier(options: ApplyOptions(owner: "tester@ci", playbook: "ocn", confirmTimeout: nil))

    static func graph(_ overrides: [String: String] = [:]) throws -> StepGraph {
        try Loader.graph(try LoaderPlaybookTests.loadOCN(overrides: overrides))
    }

    static func apply(_ graph: StepGraph, to router: LoaderRouter) async throws -> Plan {
        let target = try LocalDirectoryTarget(root: router.root)
        let plan = try Planner().plan(graph, on: try await target.snapshot(paths: Planner.paths(for: graph), run: nil))
        _ = try await applier.apply(plan, to: target)
        return plan
    }

    static func rollback(_ router: LoaderRouter) async throws {
        let target = try LocalDirectoryTarget(root: router.root)
        let undo = try Rollback().plan(try await target.snapshot(paths: [], run: "last"))
        _ = try await Rollback().apply(undo, with: applier, to: target)
    }

    static func read(_ router: LoaderRouter, _ path: String) -> String {
        (try? String(contentsOf: router.root.appendingPathComponent(String(path.dropFirst())), encoding: .utf8)) ?? ""
    }

    static func uci(_ router: LoaderRouter, _ path: String) throws -> UCIFile {
        try UCIFile(parsing: read(router, path))
    }

    @Test(arguments: routers)
    func networkAsNetifdWillReadIt(router name: String) async throws {
        let router = try LoaderRouter(name)
        defer { router.remove() }
        _ = try await Self.apply(try Self.graph(), to: router)
        let network = try Self.uci(router, "/etc/config/network")

        // No mtu on any PPP interface (netifd would set it on `wan` too); pppd gets it.
        let ppp = network.sections(ofType: "interface").filter {
            ["pppoe", "pppoa", "pptp", "l2tp"].contains($0["proto"]?.words.first ?? "")
        }
        #expect(ppp.map(\.name) == ["wanppp"])
        for section in ppp { #expect(section["mtu"] == nil, "mtu on \(section.name ?? "?")") }
        let wanppp = try #require(ppp.first)
        #expect(wanppp["pppd_options"]?.words == ["mtu 1454 mru 1454"])
        #expect(wanppp["ipv6"]?.words == ["0"])
        #expect(wanppp["ip4table"]?.words == ["300"])

        // The lower device has a section of its own, so wanppp's ipv6 '0' never reaches it.
        let devices = network.sections(ofType: "device").filter { $0["name"]?.words == ["wan"] }
        #expect(devices.count == 1)
        #expect(devices.first?.options.map(\.key) == ["name"])

        // Every rule has a priority; LAN traffic with a route in main stays local before the server's replies go to 300.
        let rules = network.sections(ofType: "rule")
        #expect(rules.count == 2)
        for rule in rules { #expect(rule["priority"] != nil, "a rule without a priority: \(rule.options.map(\.key))") }
        let local = try #require(rules.first { $0["suppress_prefixlength"] != nil })
        let server = try #require(rules.first { $0["src"] != nil })
        #expect(
            local["in"]?.words == ["lan"] && local["lookup"]?.words == ["main"]
                && local["suppress_prefixlength"]?.words == ["0"])
        #expect(
            server["in"]?.words == ["lan"] && server["src"]?.words == ["192.168.1.5/32"]
                && server["lookup"]?.words == ["300"])
        let localPriority = try #require(local["priority"]?.words.first.flatMap { Int($0) })
        let serverPriority = try #require(server["priority"]?.words.first.flatMap { Int($0) })
        #expect(localPriority < serverPriority)
        #expect(serverPriority < 10000, "netifd's own rules for table 300 start at 10000")

        // The IPv6 half: tcp/443 from wan to the server's interface ID under any prefix.
        let firewall = try Self.uci(router, "/etc/config/firewall")
        let rule = try #require(firewall.sections(ofType: "rule").first { $0["name"]?.words == ["server-https-v6"] })
        #expect(rule["family"]?.words == ["ipv6"] && rule["src"]?.words == ["wan"] && rule["dest"]?.words == ["lan"])
        #expect(
            rule["dest_ip"]?.words == ["::5/-64"] && rule["dest_port"]?.words == ["443"]
                && rule["proto"]?.words == ["tcp"])
        #expect(rule["target"]?.words == ["ACCEPT"])

        // cron re-runs the hook's "send if changed" path; all of it survives a sysupgrade.
        #expect(
            Self.read(router, "/etc/crontabs/root")
                == "*/10 * * * * ACTION=check INTERFACE=wanppp /bin/sh /etc/hotplug.d/iface/40-pppoe\n")
        let kept = Self.read(router, "/etc/sysupgrade.conf")
        for path in ["/etc/crontabs/root", "/etc/hotplug.d/iface/40-pppoe", "/etc/iproute2/rt_tables"] {
            #expect(kept.contains(path + "\n"))
        }

        // Found again: a second plan is clean.
        #expect(try await router.plan(try Self.graph()).hasChanges == false)
    }

    /// The device section is a planned change with its reason; rollback removes it with the run.
    @Test(arguments: routers)
    func deviceSectionIsPlannedWithItsReasonAndRolledBack(router name: String) async throws {
        let router = try LoaderRouter(name)
        defer { router.remove() }
        let before = Self.read(router, "/etc/config/network")
        let plan = try await Self.apply(try Self.graph(), to: router)
        let wanppp = try #require(plan.steps.first { $0.id == "wanppp" })
        #expect(
            wanppp.summary.first
                == "+ /etc/config/network: device name='wan' (so wanppp's options (ipv6, mtu) stay off the port wan, which IPoE/MAP-E share)"
        )
        try await Self.rollback(router)
        #expect(Self.read(router, "/etc/config/network") == before)
    }

    /// A router whose `wan` already has a device section (a MAC address set in LuCI): it is used as it
    /// is, never changed, and rollback leaves it.
    @Test(arguments: routers)
    func existingDeviceSectionIsLeftAlone(router name: String) async throws {
        let router = try LoaderRouter(name)
        defer { router.remove() }
        let path = router.root.appendingPathComponent("etc/config/network")
        let own = "\nconfig device\n\toption name 'wan'\n\toption macaddr '02:11:22:33:44:55'\n"
        try Data((Self.read(router, "/etc/config/network") + own).utf8).write(to: path)
        let before = Self.read(router, "/etc/config/network")
        let plan = try await Self.apply(try Self.graph(), to: router)
        #expect(!plan.steps.flatMap(\.summary).contains { $0.contains("device name='wan'") })
        let network = try Self.uci(router, "/etc/config/network")
        let devices = network.sections(ofType: "device").filter { $0["name"]?.words == ["wan"] }
        #expect(devices.count == 1)
        #expect(devices.first?["macaddr"]?.words == ["02:11:22:33:44:55"])
        try await Self.rollback(router)
        #expect(Self.read(router, "/etc/config/network") == before)
    }

    /// `wan` with a cloned MAC address set on the interface (older LuCI did): netifd applies it only
    /// while the port has no section of its own, so the new section carries it.
    @Test func deviceSectionKeepsTheMACAddressWanSets() async throws {
        let router = try LoaderRouter("openwrt-24.10")
        defer { router.remove() }
        let path = router.root.appendingPathComponent("etc/config/network")
        let text = Self.read(router, "/etc/config/network")
            .replacingOccurrences(
                of: "\toption proto 'dhcp'\n", with: "\toption proto 'dhcp'\n\toption macaddr '02:11:22:33:44:55'\n")
        try Data(text.utf8).write(to: path)
        let plan = try await Self.apply(try Self.graph(), to: router)
        #expect(
            plan.steps.first { $0.id == "wanppp" }?.summary.first
                == "+ /etc/config/network: device name='wan' macaddr='02:11:22:33:44:55' "
                + "(so wanppp's options (ipv6, mtu) stay off the port wan, which IPoE/MAP-E share; keeps macaddr its other interfaces set)"
        )
        let devices = try Self.uci(router, "/etc/config/network").sections(ofType: "device").filter {
            $0["name"]?.words == ["wan"]
        }
        #expect(devices.first?["macaddr"]?.words == ["02:11:22:33:44:55"])

        // Two interfaces on the port that disagree: the plan stops and says what to do.
        try await Self.rollback(router)
        try Data(
            text.replacingOccurrences(
                of: "\toption proto 'dhcpv6'\n", with: "\toption proto 'dhcpv6'\n\toption macaddr '02:aa:bb:cc:dd:ee'\n"
            ).utf8
        )
        .write(to: path)
        let error = await #expect(throws: EngineError.self) { try await router.plan(try Self.graph()) }
        #expect(error?.message == "step 'wanppp': interfaces wan and wan6 set different macaddr for port wan")
    }

    /// A router set up by the old recipe (mtu on wanppp, the rule naming table `pppoe`, no priorities):
    /// the rule is updated in place, not doubled, and a rollback puts it back.
    @Test func oldRecipesRuleIsUpdatedInPlace() async throws {
        let router = try LoaderRouter("ocn-mape")
        defer { router.remove() }
        let old = """

            config interface 'wanppp'
            \toption proto 'pppoe'
            \toption device 'wan'
            \toption ip4table 'pppoe'
            \toption ipv6 '0'
            \toption mtu '1454'

            config rule
            \toption in 'lan'
            \toption src '192.168.1.5'
            \toption lookup 'pppoe'

            """
        try Data((Self.read(router, "/etc/config/network") + old).utf8).write(
            to: router.root.appendingPathComponent("etc/config/network"))
        try Data((Self.read(router, "/etc/iproute2/rt_tables") + "300\tpppoe\n").utf8)
            .write(to: router.root.appendingPathComponent("etc/iproute2/rt_tables"))
        let before = Self.read(router, "/etc/config/network")
        let plan = try await Self.apply(try Self.graph(), to: router)
        #expect(
            plan.steps.first { $0.id == "wanppp" }?.summary.last
                == "~ /etc/config/network: interface 'wanppp': mtu '1454' → unset (netifd sets an interface's mtu on its lower device too; pppd_options carries the session's MTU)"
        )
        let network = try Self.uci(router, "/etc/config/network")
        #expect(network.section(named: "wanppp")?["mtu"] == nil)
        let servers = network.sections(ofType: "rule").filter { $0["src"] != nil }
        #expect(servers.count == 1)
        #expect(servers.first?["src"]?.words == ["192.168.1.5/32"])
        #expect(servers.first?["lookup"]?.words == ["300"])
        #expect(servers.first?["priority"]?.words == ["5001"])
        try await Self.rollback(router)
        #expect(Self.read(router, "/etc/config/network") == before)
    }

    @Test func interfaceOptionsRefusesMTUOnAPPPInterface() async throws {
        let router = try LoaderRouter("ocn-mape")
        defer { router.remove() }
        let ppp = "\nconfig interface 'wanppp'\n\toption proto 'pppoe'\n\toption device 'wan'\n"
        try Data((Self.read(router, "/etc/config/network") + ppp).utf8).write(
            to: router.root.appendingPathComponent("etc/config/network"))
        let graph = try Loader.graph(
            try Loader.load("steps:\n  - id: m\n    interface-options: { name: wanppp, mtu: 1454 }\n"))
        let error = await #expect(throws: EngineError.self) { try await router.plan(graph) }
        #expect(
            error?.description
                == "ocn.yml:3:45: step 'm': mtu on PPP interface 'wanppp' is also set on its lower device by netifd (shrinking the port IPoE/MAP-E share) (set the session's MTU with pppd_options: 'mtu 1454 mru 1454')"
        )
    }

    @Test func whenIsSetNeedsAKnownVariable() throws {
        let yaml =
            "vars: { suffix: \"::5\" }\nsteps:\n  - id: s\n    when: sufix is set\n    sysupgrade-keep: { paths: [/x] }\n"
        let error = try Loader.error(yaml)
        #expect(error.description.hasPrefix("ocn.yml:4:11: when: unknown variable 'sufix'"))
        #expect(try Loader.load(yaml.replacingOccurrences(of: "sufix", with: "suffix")).steps.first?.skipped == false)
        #expect(
            try Loader.load(yaml.replacingOccurrences(of: "sufix", with: "suffix"), overrides: ["suffix": ""]).steps
                .first?.skipped == true)
    }

    @Test func withoutAServerIPv6SuffixTheIPv6RuleIsSkipped() async throws {
        let playbook = try LoaderPlaybookTests.loadOCN(overrides: ["server_ipv6_suffix": ""])
        #expect(try Loader.step(playbook, "server-https-v6").skipped)
        let router = try LoaderRouter("ocn-mape")
        defer { router.remove() }
        let plan = try await router.plan(try Loader.graph(playbook))
        #expect(!plan.steps.contains { $0.id == "server-https-v6" })
        let firewall = try #require(plan.files.first { $0.path == "/etc/config/firewall" }?.new.text)
        #expect(!firewall.contains("server-https-v6"))

        let shown = try await router.plan(try Self.graph())
        #expect(
            shown.steps.first { $0.id == "server-https-v6" }?.summary
                == [
                    "+ /etc/config/firewall: rule name='server-https-v6' family='ipv6' src='wan' dest='lan' dest_ip='::5/-64' dest_port='443' proto='tcp' target='ACCEPT'"
                ])
    }
}

extension UCIValue {
    /// The values, an option as a one-item list.
    var words: [String] {
        switch self {
        case .single(let value): [value]
        case .list(let values): values
        }
    }
}
