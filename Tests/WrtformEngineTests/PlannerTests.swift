import Foundation
import Testing
import WrtformEngine

/// Plans run locally on a snapshot; these use the local-directory target over fixture copies.
@Suite struct PlannerTests {
    func plan(_ graph: StepGraph, on copy: RouterCopy, force: Bool = false) async throws -> Plan {
        let target = try LocalDirectoryTarget(root: copy.root)
        let snapshot = try await target.snapshot(paths: Planner.paths(for: graph), run: nil)
        return try Planner(force: force).plan(graph, on: snapshot)
    }

    @Test func ocnPlanOnStockRouter() async throws {
        let copy = try RouterCopy()
        defer { copy.remove() }
        let plan = try await plan(try StepBuilder.ocn(), on: copy)
        #expect(plan.summaryLine == "Plan: 9 to add, 1 to change, 0 to remove.")
        #expect(plan.services == ["network", "firewall"])
        let byPath = Dictionary(uniqueKeysWithValues: plan.files.map { ($0.path, $0) })
        #expect(byPath["/etc/iproute2/rt_tables"]?.diff.contains("+300\tpppoe") == true)
        let network = try #require(byPath["/etc/config/network"]?.new.text)
        #expect(network.contains("\nconfig interface 'wanppp'\n\toption device 'wan'\n"))
        #expect(network.contains("\toption proto 'pppoe'\n"))
        #expect(network.contains("\toption src '192.168.1.5/32'\n"))
        #expect(!network.contains("\toption mtu"))
        #expect(network.contains("\toption pppd_options 'mtu 1454 mru 1454'\n"))
        #expect(network.contains("\nconfig device\n\toption name 'wan'\n"))
        let firewall = try #require(byPath["/etc/config/firewall"]?.new.text)
        #expect(firewall.contains("\toption name 'wan_pppoe'\n"))
        #expect(firewall.contains("\toption input 'REJECT'\n"))
        #expect(firewall.contains("\tlist network 'wanppp'\n"))
        // Secrets never show in a plan: not in diffs, not in summaries.
        let shown = plan.files.map(\.diff).joined() + plan.steps.flatMap(\.summary).joined()
        #expect(!shown.contains(StepBuilder.pppoePassword))
        #expect(!shown.contains(StepBuilder.ddnsPassword))
        #expect(shown.contains("(secret)"))
        // untouched files keep their bytes: the unchanged sections of network are verbatim.
        let before = copy.read("/etc/config/network")
        let untouched = try #require(before.components(separatedBy: "config interface 'wan'").first)
        #expect(network.hasPrefix(untouched))
        #expect(
            network.hasPrefix(
                before.replacingOccurrences(
                    of: "\toption proto 'dhcp'\n", with: "\toption proto 'dhcp'\n\toption metric '1'\n")))
    }

    /// The session arrives at the router's own address (SSH_CONNECTION): a step changing the
    /// interface of that subnet, or its zone, is flagged; other interfaces are not.
    @Test(arguments: [
        ("192.168.1.1", true), ("192.168.1.77", true), ("192.168.2.1", false), ("127.4.5.6", false),
        ("2001:db8::1", false),
    ])
    func warnsWhenAStepChangesTheInterfaceOfTheSession(address: String, warned: Bool) async throws {
        let copy = try RouterCopy()
        defer { copy.remove() }
        let target = try LocalDirectoryTarget(root: copy.root)
        let graph = try StepGraph([
            .init(step: try StepBuilder.step("m", "interface-options", ["name": "lan", "metric": "5"]))
        ])
        var snapshot = try await target.snapshot(paths: Planner.paths(for: graph), run: nil)
        snapshot.connectedAddress = address
        let plan = try Planner().plan(graph, on: snapshot)
        let expected = ["step 'm' changes interface 'lan', which this SSH session arrives through (\(address))"]
        #expect(plan.warnings == (warned ? expected : []))
    }

    /// Beyond the interface itself: its bridge device, and a zone it is put into.
    @Test func warnsWhenAStepChangesTheSessionsDeviceOrMovesItIntoAZone() async throws {
        let copy = try RouterCopy()
        defer { copy.remove() }
        let target = try LocalDirectoryTarget(root: copy.root)
        let graph = try StepGraph([
            .init(
                step: try StepBuilder.step(
                    "mtu", "uci-section",
                    ["config": "network", "type": "device", "match": ["name": "br-lan"], "options": ["mtu": "1400"]])),
            .init(step: try StepBuilder.step("guest", "firewall-zone", ["name": "guest", "network": ["lan"]])),
        ])
        var snapshot = try await target.snapshot(paths: Planner.paths(for: graph), run: nil)
        snapshot.connectedAddress = "192.168.1.1"
        let plan = try Planner().plan(graph, on: snapshot)
        #expect(
            plan.warnings == [
                "step 'mtu' changes device 'br-lan' of interface 'lan', which this SSH session arrives through (192.168.1.1)",
                "step 'guest' puts interface 'lan' into zone 'guest', which this SSH session arrives through (192.168.1.1)",
            ])
    }

    /// What the router is in the middle of comes as notices, shown before the changes.
    @Test func pendingRunAndLockAreNotices() async throws {
        let copy = try RouterCopy()
        defer { copy.remove() }
        let target = try LocalDirectoryTarget(root: copy.root)
        let graph = try StepBuilder.ocn()
        var snapshot = try await target.snapshot(paths: Planner.paths(for: graph), run: nil)
        snapshot.runs = [
            RunSummary(id: "20260101T000000Z-00001", status: .pending, time: 0, playbook: "ocn", files: [])
        ]
        snapshot.lock = LockInfo(owner: "alice@laptop", pid: "1", since: 0, runID: "20260101T000000Z-00001")
        let plan = try Planner().plan(graph, on: snapshot)
        #expect(
            plan.notices == [
                "run 20260101T000000Z-00001 is still waiting for confirmation: the router restores it unless it is confirmed",
                "the router is locked by alice@laptop (run 20260101T000000Z-00001): apply will wait for no one and refuse",
            ])
        #expect(plan.warnings.isEmpty)
    }

    @Test func unknownZoneIsAPlanError() async throws {
        let copy = try RouterCopy()
        defer { copy.remove() }
        let graph = try StepGraph([
            .init(step: try StepBuilder.step("fwd", "forwarding", ["src": "lan", "dest": "wan_ppoe"], line: 4))
        ])
        let error = await #expect(throws: EngineError.self) { try await plan(graph, on: copy) }
        #expect(
            error?.message
                == "step 'fwd' refers to zone 'wan_ppoe', which is neither on the router nor created by the playbook")
    }

    @Test func unknownTableIsAPlanError() async throws {
        let copy = try RouterCopy()
        defer { copy.remove() }
        let graph = try StepGraph([
            .init(
                step: try StepBuilder.step("r", "network-rule", ["in": "lan", "src": "192.168.1.5", "lookup": "pppoe"]))
        ])
        let error = await #expect(throws: EngineError.self) { try await plan(graph, on: copy) }
        #expect(error?.message.contains("routing table 'pppoe'") == true)
    }

    @Test func conflictingRoutingTable() async throws {
        let copy = try RouterCopy()
        defer { copy.remove() }
        try copy.write("/etc/iproute2/rt_tables", "255\tlocal\n254\tmain\n300 isp2\n")
        let graph = try StepGraph([
            .init(step: try StepBuilder.step("t", "routing-table", ["id": "300", "name": "pppoe"]))
        ])
        let error = await #expect(throws: EngineError.self) { try await plan(graph, on: copy) }
        #expect(error?.message == "/etc/iproute2/rt_tables already gives table 300 the name 'isp2'")
        try copy.write("/etc/iproute2/rt_tables", "255\tlocal\n254\tmain\n301\tpppoe\n")
        let byName = await #expect(throws: EngineError.self) { try await plan(graph, on: copy) }
        #expect(byName?.message == "/etc/iproute2/rt_tables already names table 301 'pppoe'")
    }

    @Test func missingInterfaceForOptions() async throws {
        let copy = try RouterCopy()
        defer { copy.remove() }
        let graph = try StepGraph([
            .init(step: try StepBuilder.step("m", "interface-options", ["name": "wan2", "metric": "1"]))
        ])
        let error = await #expect(throws: EngineError.self) { try await plan(graph, on: copy) }
        #expect(error?.message.contains("interface 'wan2'") == true)
    }

    @Test func stagedChangesRefuseUnlessForced() async throws {
        let copy = try RouterCopy()
        defer { copy.remove() }
        try copy.write("/tmp/.uci/network", "network.lan.ipaddr='10.0.0.1'\n")
        let graph = try StepBuilder.ocn()
        let error = await #expect(throws: EngineError.self) { try await plan(graph, on: copy) }
        #expect(error?.kind == .pendingChanges)
        _ = try await plan(graph, on: copy, force: true)
    }

    @Test func lucisStagingAndPendingApplyRefuseOffline() async throws {
        for (path, text) in [
            ("/var/run/rpcd/uci-7f3a/network", "network.lan.ipaddr='10.0.0.1'\n"),
            ("/var/run/rpcd/snapshot-files/firewall", "x"),
        ] {
            let copy = try RouterCopy()
            defer { copy.remove() }
            try copy.write(path, text)
            let error = await #expect(throws: EngineError.self) { try await plan(try StepBuilder.ocn(), on: copy) }
            #expect(error?.kind == .pendingChanges, "\(path)")
        }
        let copy = try RouterCopy()
        defer { copy.remove() }
        try copy.write("/tmp/.uci/network", "") // an empty staging file is nobody's change
        _ = try await plan(try StepBuilder.ocn(), on: copy)
    }

    @Test func handMadeZoneIsUpdatedNotDuplicated() async throws {
        let copy = try RouterCopy()
        defer { copy.remove() }
        let firewall = copy.read("/etc/config/firewall")
        try copy.write(
            "/etc/config/firewall",
            firewall
                + "\nconfig zone\n\toption name 'wan_pppoe'\n\toption input 'REJECT'\n\toption output 'ACCEPT'\n\toption forward 'REJECT'\n\toption masq '1'\n\toption custom 'kept'\n"
        )
        let graph = try StepGraph([
            .init(step: try StepBuilder.step("wanppp", "interface", ["name": "wanppp", "proto": "pppoe"])),
            .init(
                step: try StepBuilder.step(
                    "zone", "firewall-zone", ["name": "wan_pppoe", "masq": "1", "mtu_fix": "1", "network": ["wanppp"]])),
        ])
        let plan = try await plan(graph, on: copy)
        let zone = try #require(plan.steps.first { $0.id == "zone" })
        #expect(zone.action == .update)
        let new = try #require(plan.files.first { $0.path == "/etc/config/firewall" }?.new.text)
        #expect(new.components(separatedBy: "option name 'wan_pppoe'").count == 2)
        #expect(new.contains("option custom 'kept'"))
    }
}
