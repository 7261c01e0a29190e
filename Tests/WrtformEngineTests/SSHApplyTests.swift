import Foundation
import Testing
import VirtualRouter
import WrtformEngine

/// The engine end to end, through real SSH against the virtual router.
@Suite struct SSHApplyTests {
    func options(confirmTimeout: Int? = 60, probes: [PostCheck] = []) -> ApplyOptions {
        ApplyOptions(
            owner: "tester@ci", playbook: "ocn", confirmTimeout: confirmTimeout, probes: probes, verifyTimeout: 2)
    }

    func plan(_ graph: StepGraph, _ target: SSHRouterTarget) async throws -> Plan {
        let snapshot = try await target.snapshot(paths: Planner.paths(for: graph), run: nil)
        return try Planner().plan(graph, on: snapshot)
    }

    @Test func planIsOneRoundTrip() async throws {
        try await withVirtualRouter { router in
            let target = router.sshTarget()
            let plan = try await plan(try StepBuilder.ocn(), target)
            #expect(await target.roundTrips() == 1)
            #expect(plan.summaryLine == "Plan: 9 to add, 1 to change, 0 to remove.")
            #expect(plan.snapshot.facts.release["DISTRIB_RELEASE"]?.hasPrefix("24.10") == true)
            #expect(plan.snapshot.facts.has("uci") == false)
            #expect(plan.snapshot.facts.has("sha256sum"))
            #expect(plan.warnings.isEmpty)
            await target.close()
        }
    }

    @Test func applyReapplyAndRollback() async throws {
        try await withVirtualRouter { router in
            let before = router.etc()
            let target = router.sshTarget()
            let graph = try StepBuilder.ocn()
            let first = try await plan(graph, target)
            let result = try await Applier(options: options()).apply(first, to: target)
            #expect(result.status == .done)
            // plan 1 + write and reload 1 + verify/confirm 1 (on a new connection)
            #expect(await target.roundTrips() == 3)
            #expect(router.read("/etc/iproute2/rt_tables").hasSuffix("\n300\tpppoe\n"))
            #expect(router.read("/etc/config/network").contains("option src '192.168.1.5/32'"))
            #expect(router.read("/etc/wrtform/ddns.secret") == StepBuilder.ddnsPassword + "\n")
            #expect(router.read("/etc/config/firewall").contains("option name 'wan_pppoe'"))
            #expect(try router.serviceCalls().map(\.service) == ["network", "firewall"])
            let runID = try #require(result.runID)
            #expect(router.read("/etc/wrtform/runs/\(runID)/status") == "done\n")
            #expect(!router.exists("/var/lock/wrtform"))
            #expect(!router.exists("/etc/uci-defaults/99-wrtform-restore"))
            let journalMode =
                try FileManager.default.attributesOfItem(
                    atPath: router.root.appendingPathComponent("etc/wrtform/runs/\(runID)").path)[.posixPermissions]
                as? NSNumber
            #expect(journalMode?.intValue == 0o700)
            // No secret ever travelled in a command line.
            let commands = try router.commandLog().joined(separator: "\n")
            #expect(!commands.contains(StepBuilder.pppoePassword))
            #expect(!commands.contains("ddns-S3cr3t"))

            // Idempotent: the second run changes nothing and reloads nothing.
            let again = try await plan(graph, target)
            #expect(!again.hasChanges)
            let second = try await Applier(options: options()).apply(again, to: target)
            #expect(second.runID == nil)
            #expect(try router.serviceCalls().count == 2)

            // Later: an unrelated edit by hand, then rollback keeps it.
            try router.write(
                "/etc/config/network",
                router.read("/etc/config/network") + "\nconfig interface 'guest'\n\toption proto 'static'\n")
            let rollbackSnapshot = try await target.snapshot(paths: [], run: "last")
            let undo = try Rollback().plan(rollbackSnapshot)
            #expect(undo.hasChanges)
            _ = try await Rollback().apply(undo, with: Applier(options: options()), to: target)
            let after = router.etc()
            #expect(router.read("/etc/config/network").contains("config interface 'guest'"))
            for (path, data) in before where path != "/etc/config/network" {
                #expect(after[path] == data, "\(path) differs after rollback")
            }
            #expect(after["/etc/wrtform/ddns.secret"] == nil)
            #expect(after["/etc/hotplug.d/iface/40-pppoe"] == nil)
            #expect(router.read("/etc/wrtform/runs/\(runID)/status") == "rolled-back\n")
            // A second rollback is refused: the run was rolled back already.
            let later = try await target.snapshot(paths: [], run: "last")
            #expect(later.journal?.id == undo.snapshot.journal?.id)
            #expect(later.runs.first { $0.id == later.journal?.id }?.status == .rolledBack)
            let error = #expect(throws: EngineError.self) { try Rollback().plan(later) }
            #expect(error?.kind == .conflict)
            await target.close()
        }
    }

    /// Journals are kept small (base64, compact JSON) and few: the router keeps the last 10
    /// runs, dropping the oldest finished ones; a run still pending is never dropped.
    @Test func oldJournalsAreDroppedAndNewOnesAreSmall() async throws {
        try await withVirtualRouter { router in
            _ = try router.runInSandbox(
                """
                mkdir -p /etc/wrtform/runs
                for i in 01 02 03 04 05 06 07 08 09 10 11 12; do
                    d=/etc/wrtform/runs/20250101T0000${i}Z-00000
                    mkdir -p $d/files && echo apply > $d/kind && echo done > $d/status
                done
                echo pending > /etc/wrtform/runs/20250101T000001Z-00000/status
                """)
            let target = router.sshTarget()
            let result = try await Applier(options: options()).apply(
                try await plan(try StepBuilder.ocn(), target), to: target)
            #expect(result.status == .done)
            let runs = router.runIDs()
            #expect(runs.count == 10, "\(runs)")
            #expect(runs.contains("20250101T000001Z-00000"), "a pending run was dropped")
            #expect(!runs.contains("20250101T000002Z-00000") && runs.contains("20250101T000012Z-00000"))
            let runID = try #require(result.runID)
            #expect(runs.last == runID)
            let journal = try Data(contentsOf: router.root.appendingPathComponent("etc/wrtform/runs/\(runID)/run.json"))
            #expect(journal.count < 24 * 1024, "run.json is \(journal.count) bytes")
            await target.close()
        }
    }

    @Test func failingReloadLeavesRouterAsItWas() async throws {
        try await withVirtualRouter { router in
            let before = router.etc()
            try router.setServiceBehavior(.fail(3), for: "firewall")
            let target = router.sshTarget()
            let graph = try StepBuilder.ocn()
            let error = await #expect(throws: EngineError.self) {
                try await Applier(options: options()).apply(try await plan(graph, target), to: target)
            }
            #expect(
                error?.message
                    == "reload of firewall failed (exit 3); the router restored its files and is back where it was")
            #expect(error?.message.contains("back where it was") == true)
            #expect(router.etc() == before)
            #expect(!router.exists("/var/lock/wrtform"))
            let runs = try await target.snapshot(paths: [], run: nil).runs
            #expect(runs.map(\.status) == [.restored])
            await target.close()
        }
    }

    @Test func failingVerifyLeavesRouterAsItWas() async throws {
        try await withVirtualRouter { router in
            let before = router.etc()
            let target = router.sshTarget()
            let probe = PostCheck("the server answers", command: "false", needsNetifd: false)
            let error = await #expect(throws: EngineError.self) {
                try await Applier(options: options(probes: [probe])).apply(
                    try await plan(try StepBuilder.ocn(), target), to: target)
            }
            #expect(error?.message.contains("verify failed: the server answers") == true)
            #expect(router.etc() == before)
            #expect(!router.exists("/var/lock/wrtform"))
            await target.close()
        }
    }

    @Test func editBetweenPlanAndApplyIsNotOverwritten() async throws {
        try await withVirtualRouter { router in
            let target = router.sshTarget()
            let plan = try await plan(try StepBuilder.ocn(), target)
            try router.write(
                "/etc/config/firewall", router.read("/etc/config/firewall") + "\n# saved in LuCI meanwhile\n")
            let edited = router.etc()
            let error = await #expect(throws: EngineError.self) {
                try await Applier(options: options()).apply(plan, to: target)
            }
            #expect(error?.kind == .changedSincePlan)
            #expect(router.etc() == edited)
            #expect(!router.exists("/var/lock/wrtform"))
            await target.close()
        }
    }

    @Test func secondApplyIsRefusedByTheLock() async throws {
        try await withVirtualRouter { router in
            try router.setServiceBehavior(.hang, for: "network")
            let slow = router.sshTarget(commandTimeout: .seconds(20))
            let graph = try StepBuilder.ocn()
            let firstPlan = try await plan(graph, slow)
            let first = Task { try await Applier(options: options()).apply(firstPlan, to: slow) }
            // Wait until the first run holds the lock.
            var waited = 0
            while !router.exists("/var/lock/wrtform/owner") && waited < 100 {
                try await Task.sleep(for: .milliseconds(100))
                waited += 1
            }
            let other = router.sshTarget()
            let forward = try StepGraph([
                .init(
                    step: try StepBuilder.step(
                        "web", "redirect",
                        ["src": "wan", "src_dport": "8080", "dest_ip": "192.168.1.20", "dest_port": "80"]))
            ])
            let otherPlan = try await plan(forward, other)
            #expect(otherPlan.notices.contains { $0.contains("locked by tester@ci") })
            let error = await #expect(throws: EngineError.self) {
                try await Applier(options: ApplyOptions(owner: "bob@laptop", playbook: "x")).apply(otherPlan, to: other)
            }
            #expect(error?.kind == .locked)
            #expect(error?.message.contains("locked by tester@ci") == true)
            // The first run's reload hangs past its timeout: it restores and releases the lock.
            let firstError = await #expect(throws: EngineError.self) { try await first.value }
            #expect(firstError?.message.contains("back where it was") == true)
            #expect(!router.exists("/var/lock/wrtform"))
            await slow.close()
            await other.close()
        }
    }
}
