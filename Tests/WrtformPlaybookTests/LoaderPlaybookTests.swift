import Foundation
import Testing
import WrtformEngine
import WrtformPlaybook

/// The sample playbooks in Playbooks/: they load, build their graphs, and plan cleanly against
/// the stock OpenWrt 24.10 fixture with the local-directory target.
@Suite struct LoaderPlaybookTests {
    static let ocn = LoaderPaths.playbook("ocn-dualstack-pppoe.yml")
    static let portForward = LoaderPaths.playbook("port-forward.yml")
    static let guestZone = LoaderPaths.playbook("guest-zone.yml")

    static let ocnOrder = [
        "pppoe-table", "wanppp", "zone", "lan-to-pppoe", "lan-stays-local", "server-via-pppoe", "forward-443",
        "server-https-v6",
        "ddns-password", "ddns-hook", "ddns-check", "keep-on-upgrade",
    ]

    static func loadOCN(overrides: [String: String] = [:]) throws -> Playbook {
        try PlaybookLoader().load(
            path: ocn, overrides: overrides, secrets: .resolve(environment: LoaderSecrets.ocnEnvironment, prompter: nil)
        )
    }

    /// Where `text` starts in a playbook, as file:line:column.
    static func location(of text: String, in path: String) throws -> String {
        let lines = try String(contentsOfFile: path, encoding: .utf8).components(separatedBy: "\n")
        let index = try #require(lines.firstIndex { $0.contains(text) }, "\(text) is not in \(path)")
        let column = try #require(lines[index].range(of: text)).lowerBound
        return
            "\(URL(fileURLWithPath: path).lastPathComponent):\(index + 1):\(lines[index].distance(from: lines[index].startIndex, to: column) + 1)"
    }

    /// Writes what a plan would write into the router copy, so a second plan shows what is left.
    static func write(_ plan: Plan, into router: LoaderRouter) throws {
        for file in plan.files {
            let url = router.root.appendingPathComponent(String(file.path.dropFirst()))
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(file.new.content ?? []).write(to: url)
        }
    }

    // MARK: OCN

    @Test func ocnLoadsWithSecretsFromTheEnvironment() throws {
        let playbook = try Self.loadOCN()
        #expect(playbook.name == "ocn-dualstack-pppoe")
        #expect(playbook.steps.map(\.input.id) == Self.ocnOrder)
        #expect(playbook.steps.allSatisfy { !$0.skipped })
        #expect(playbook.secretValues.sorted() == LoaderSecrets.all.sorted())

        let wanppp = try Loader.step(playbook, "wanppp").input
        #expect(Loader.scalar(wanppp.fields["username"]) == LoaderSecrets.pppoeUsername)
        #expect(Loader.scalar(wanppp.fields["password"]) == LoaderSecrets.pppoePassword)
        #expect(wanppp.fields["username"]?.isSecret == true && wanppp.fields["password"]?.isSecret == true)
        #expect(wanppp.fields["mtu"] == nil)
        #expect(Loader.scalar(wanppp.fields["pppd_options"]) == "mtu 1454 mru 1454")
        #expect(Loader.scalar(wanppp.fields["ipv6"]) == "0")
        #expect(Loader.scalar(wanppp.fields["ip4table"]) == "300")

        let password = try Loader.step(playbook, "ddns-password").input
        #expect(Loader.scalar(password.fields["content"]) == LoaderSecrets.ddnsPassword)
        #expect(password.fields["content"]?.isSecret == true)

        // The hook is rendered from templates/40-pppoe beside the playbook, with no secret in it.
        let hook = try Loader.step(playbook, "ddns-hook")
        #expect(hook.needs == ["ddns-password"])
        let content = try #require(Loader.scalar(hook.input.fields["content"]))
        #expect(content.contains("DDNS_INTERFACE='wanppp'\n"))
        #expect(content.contains("DDNS_HOSTS='@ www'\n"))
        #expect(content.contains("DDNS_PASSWORD_FILE='/etc/wrtform/ddns.secret'\n"))
        #expect(!content.contains("{{"))
        #expect(hook.input.fields["content"]?.isSecret == false)
        #expect(
            hook.input.fields["content"]?.location?.description
                == (try Self.location(of: "templates/40-pppoe", in: Self.ocn)))
        #expect(!LoaderSecrets.all.contains { content.contains($0) })
    }

    @Test func ocnBuildsItsGraph() throws {
        let graph = try Loader.graph(try Self.loadOCN())
        #expect(graph.ordered.map(\.id) == Self.ocnOrder)
        #expect(graph.edges.contains(StepGraph.Edge(from: "wanppp", to: "zone", implied: true)))
        #expect(graph.edges.contains(StepGraph.Edge(from: "zone", to: "lan-to-pppoe", implied: true)))
        #expect(graph.edges.contains(StepGraph.Edge(from: "zone", to: "forward-443", implied: true)))
        #expect(graph.edges.contains(StepGraph.Edge(from: "ddns-password", to: "ddns-hook", implied: false)))
        #expect(graph.edges.contains(StepGraph.Edge(from: "ddns-hook", to: "ddns-check", implied: false)))
        let interface = try #require(graph.ordered.first { $0.id == "wanppp" } as? InterfaceStep)
        #expect(interface.secretKeys.isSuperset(of: ["username", "password"]))
        let secretFile = try #require(graph.ordered.first { $0.id == "ddns-password" } as? FileStep)
        #expect(secretFile.writesSecretFile)
        #expect(secretFile.mode == "0600")
    }

    @Test func ocnLoadsWithPlaceholders() throws {
        let playbook = try PlaybookLoader().load(path: Self.ocn, secrets: .placeholders)
        #expect(playbook.steps.map(\.input.id) == Self.ocnOrder)
        #expect(playbook.secretValues.count == 3)
        #expect(!playbook.secretValues.contains { LoaderSecrets.all.contains($0) })
        #expect(try Loader.step(playbook, "wanppp").input.fields["password"]?.isSecret == true)
        #expect(try Loader.graph(playbook).ordered.map(\.id) == Self.ocnOrder)
    }

    @Test func ocnForwardsMorePortsWithVar() throws {
        let playbook = try Self.loadOCN(overrides: ["forward_ports": "443,8443"])
        let ids = try Loader.graph(playbook).ordered.map(\.id)
        #expect(ids.contains("forward-443") && ids.contains("forward-8443"))
        #expect(Loader.scalar(try Loader.step(playbook, "forward-8443").input.fields["name"]) == "server-8443")
    }

    @Test func ocnWithoutOneSecretNamesIt() throws {
        var environment = LoaderSecrets.ocnEnvironment
        environment["WRTFORM_PPPOE_PASSWORD"] = nil
        let error = try #require(throws: EngineError.self) {
            try PlaybookLoader().load(path: Self.ocn, secrets: .resolve(environment: environment, prompter: nil))
        }
        LoaderSecrets.expectNoSecret(in: error)
        let at = try Self.location(of: "WRTFORM_PPPOE_PASSWORD", in: Self.ocn)
        #expect(
            error.description
                == "\(at): secret 'pppoe_password' needs the environment variable WRTFORM_PPPOE_PASSWORD, which is not set (export WRTFORM_PPPOE_PASSWORD=… before running wrtform)"
        )
    }

    @Test func ocnPlansOnTheStockRouterWithoutShowingSecrets() async throws {
        let router = try LoaderRouter()
        defer { router.remove() }
        let graph = try Loader.graph(try Self.loadOCN())
        let plan = try await router.plan(graph)
        #expect(plan.summaryLine == "Plan: 12 to add, 0 to change, 0 to remove.")
        let shown = plan.files.map(\.diff).joined() + plan.steps.flatMap(\.summary).joined() + plan.warnings.joined()
        for secret in LoaderSecrets.all { #expect(!shown.contains(secret)) }
        let network = try #require(plan.files.first { $0.path == "/etc/config/network" }?.new.text)
        #expect(!network.contains("\toption mtu '1454'\n"))
        #expect(network.contains("\toption pppd_options 'mtu 1454 mru 1454'\n"))
        #expect(network.contains("\nconfig device\n\toption name 'wan'\n"))
        #expect(network.contains("\toption ipv6 '0'\n"))
        #expect(plan.files.contains { $0.path == "/etc/wrtform/ddns.secret" && $0.isSecret })
    }

    // MARK: port-forward

    @Test func portForwardLoadsAndPlans() async throws {
        let playbook = try PlaybookLoader().load(path: Self.portForward, secrets: .placeholders)
        #expect(playbook.name == "port-forward")
        let graph = try Loader.graph(playbook)
        #expect(graph.ordered.map(\.id) == ["forward"])
        let router = try LoaderRouter()
        defer { router.remove() }
        let plan = try await router.plan(graph)
        #expect(plan.summaryLine == "Plan: 1 to add, 0 to change, 0 to remove.")
        #expect(plan.services == ["firewall"])
        #expect(plan.warnings.isEmpty)
        let firewall = try #require(plan.files.first { $0.path == "/etc/config/firewall" })
        let added = firewall.diff.split(separator: "\n").filter { $0.hasPrefix("+") && !$0.hasPrefix("+++") }.map(
            String.init)
        #expect(
            added == [
                "+", "+config redirect", "+\toption src 'wan'", "+\toption src_dport '8080'",
                "+\toption name 'forward-8080'",
                "+\toption target 'DNAT'", "+\toption family 'ipv4'", "+\toption proto 'tcp'", "+\toption dest 'lan'",
                "+\toption dest_ip '192.168.1.20'", "+\toption dest_port '80'",
            ])
        try Self.write(plan, into: router)
        #expect(try await router.plan(graph).summaryLine == "No changes: the router matches the playbook.")
    }

    @Test func portForwardTakesVars() throws {
        let playbook = try PlaybookLoader().load(
            path: Self.portForward,
            overrides: ["external_port": "2222", "server_ip": "192.168.1.30", "server_port": "22"],
            secrets: .placeholders)
        let redirect = try #require(try Loader.graph(playbook).ordered.first as? RedirectStep)
        #expect(redirect.sourcePort == "2222")
        #expect(redirect.options.first { $0.key == "dest_ip" }?.value.values == ["192.168.1.30"])
        #expect(redirect.options.first { $0.key == "dest_port" }?.value.values == ["22"])
        let error = try #require(throws: EngineError.self) {
            try Loader.graph(
                try PlaybookLoader().load(
                    path: Self.portForward, overrides: ["server_ip": "192.168.1.500"], secrets: .placeholders))
        }
        let at = try Self.location(of: "\"{{ server_ip }}\"", in: Self.portForward)
        let column = try #require(at.split(separator: ":").last.flatMap { Int($0) })
        let expected = at.split(separator: ":").dropLast().joined(separator: ":") + ":\(column + 1)"
        #expect(error.description == "\(expected): '192.168.1.500' is not a valid IPv4 address")
    }

    // MARK: guest-zone

    @Test func guestZoneLoadsAndBuildsItsGraph() throws {
        let playbook = try PlaybookLoader().load(path: Self.guestZone, secrets: .placeholders)
        #expect(playbook.name == "guest-zone")
        #expect(playbook.secretValues.isEmpty)
        let graph = try Loader.graph(playbook)
        #expect(
            graph.ordered.map(\.id) == [
                "guest-bridge", "guest", "guest-zone", "guest-to-wan", "guest-dhcp", "guest-dns", "guest-dhcp-pool",
            ])
        #expect(graph.edges.contains(StepGraph.Edge(from: "guest", to: "guest-zone", implied: true)))
        #expect(graph.edges.contains(StepGraph.Edge(from: "guest-zone", to: "guest-to-wan", implied: true)))
        #expect(graph.edges.contains(StepGraph.Edge(from: "guest-bridge", to: "guest", implied: false)))
    }

    @Test func guestZonePlansCleanlyOnTheStockRouter() async throws {
        let graph = try Loader.graph(try PlaybookLoader().load(path: Self.guestZone, secrets: .placeholders))
        let router = try LoaderRouter()
        defer { router.remove() }
        let plan = try await router.plan(graph)
        #expect(plan.summaryLine == "Plan: 7 to add, 0 to change, 0 to remove.")
        #expect(plan.services == ["network", "firewall", "reload_config"])
        #expect(plan.warnings.isEmpty)
        let byPath = Dictionary(uniqueKeysWithValues: plan.files.map { ($0.path, $0.new.text) })
        let network = try #require(byPath["/etc/config/network"])
        #expect(
            network.contains(
                "\nconfig device\n\toption name 'br-guest'\n\toption type 'bridge'\n\toption bridge_empty '1'\n"))
        #expect(
            network.contains(
                "\nconfig interface 'guest'\n\toption proto 'static'\n\toption device 'br-guest'\n\toption ipaddr '192.168.3.1'\n\toption netmask '255.255.255.0'\n"
            ))
        let firewall = try #require(byPath["/etc/config/firewall"])
        #expect(
            firewall.contains(
                "\nconfig zone\n\toption name 'guest'\n\tlist network 'guest'\n\toption input 'REJECT'\n\toption output 'ACCEPT'\n\toption forward 'REJECT'\n"
            ))
        #expect(firewall.contains("\nconfig forwarding\n\toption dest 'wan'\n\toption src 'guest'\n"))
        #expect(
            firewall.contains(
                "\nconfig rule\n\toption name 'Allow-Guest-DHCP'\n\toption src 'guest'\n\toption proto 'udp'\n\toption dest_port '67'\n\toption family 'ipv4'\n\toption target 'ACCEPT'\n"
            ))
        #expect(
            firewall.contains(
                "\nconfig rule\n\toption name 'Allow-Guest-DNS'\n\toption src 'guest'\n\tlist proto 'tcp'\n\tlist proto 'udp'\n\toption dest_port '53'\n\toption target 'ACCEPT'\n"
            ))
        let dhcp = try #require(byPath["/etc/config/dhcp"])
        #expect(
            dhcp.contains(
                "\nconfig dhcp 'guest'\n\toption interface 'guest'\n\toption start '100'\n\toption limit '100'\n\toption leasetime '2h'\n"
            ))
        // What the stock router had stays as it was: only sections are added.
        for file in plan.files {
            #expect(file.new.text.hasPrefix(file.old.text), "\(file.path) changed before its end")
        }
        // Every section is found again: a second plan over the result has nothing to do.
        try Self.write(plan, into: router)
        #expect(try await router.plan(graph).summaryLine == "No changes: the router matches the playbook.")
    }
}
