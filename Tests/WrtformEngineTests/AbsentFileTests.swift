import Foundation
import Testing
import VirtualRouter
import WrtformEngine

/// A file that did not exist before a run is absent again after every way of undoing it — a
/// restore after a failure, the watchdog, the boot hook, a rollback — and a directory the run
/// made is removed once empty.
@Suite struct AbsentFileTests {
    /// No /etc/sysupgrade.conf and no /etc/hotplug.d: the OCN run creates both.
    static let bare = "rm -f /etc/sysupgrade.conf && rm -rf /etc/hotplug.d"

    static func expectBare(_ router: VirtualRouter) {
        #expect(!router.exists("/etc/sysupgrade.conf"))
        #expect(!router.exists("/etc/hotplug.d"))
    }

    @Test func restoreAfterAFailedReload() async throws {
        try await withVirtualRouter { router in
            _ = try router.runInSandbox(Self.bare)
            try router.setServiceBehavior(.fail(4), for: "firewall")
            let target = router.sshTarget()
            let plan = try await Fault.plan(try StepBuilder.ocn(), target)
            await #expect(throws: EngineError.self) {
                _ = try await Applier(options: Fault.options).apply(plan, to: target)
            }
            Self.expectBare(router)
            await target.close()
        }
    }

    @Test func watchdogRevert() async throws {
        try await withVirtualRouter { router in
            _ = try router.runInSandbox(Self.bare)
            try router.setServiceBehavior(WatchdogTests.cutOff, for: "firewall")
            let target = router.sshTarget(commandTimeout: .seconds(30))
            let plan = try await Fault.plan(try StepBuilder.ocn(), target)
            var options = Fault.options
            options.confirmTimeout = 12
            await #expect(throws: EngineError.self) { _ = try await Applier(options: options).apply(plan, to: target) }
            await target.close()
            // The write made the directories (on a loaded machine the watchdog may have restored
            // already: its journal says what the write did).
            let runID = try router.onlyRun()
            #expect(router.read("/etc/wrtform/runs/\(runID)/dirs") == "/etc/hotplug.d/iface\n/etc/hotplug.d\n")
            let reverted = await Fault.eventually(.seconds(45)) { router.runStatus(runID) == "reverted" }
            #expect(reverted)
            Self.expectBare(router)
        }
    }

    @Test func bootHookRevert() async throws {
        try await withVirtualRouter { router in
            _ = try router.runInSandbox(Self.bare)
            try router.setServiceBehavior(WatchdogTests.cutOff, for: "firewall")
            let target = router.sshTarget(commandTimeout: .seconds(30))
            let plan = try await Fault.plan(try StepBuilder.ocn(), target)
            var options = Fault.options
            options.confirmTimeout = 90
            await #expect(throws: EngineError.self) { _ = try await Applier(options: options).apply(plan, to: target) }
            await target.close()
            try router.killSSHServer()
            #expect(router.exists("/etc/hotplug.d/iface/40-pppoe"))
            let boot = try router.bootUCIDefaults()
            #expect(boot.exitCode == 0, "\(boot.output)")
            Self.expectBare(router)
        }
    }

    @Test func rollbackOverSSH() async throws {
        try await withVirtualRouter { router in
            _ = try router.runInSandbox(Self.bare)
            let target = router.sshTarget()
            let plan = try await Fault.plan(try StepBuilder.ocn(), target)
            #expect(try await Applier(options: Fault.options).apply(plan, to: target).status == .done)
            #expect(router.exists("/etc/sysupgrade.conf"))
            let snapshot = try await target.snapshot(paths: [], run: "last")
            _ = try await Rollback().apply(
                try Rollback().plan(snapshot), with: Applier(options: Fault.options), to: target)
            Self.expectBare(router)
            await target.close()
        }
    }

    @Test func rollbackAndRestoreOnTheRoot() async throws {
        for undo in ["rollback", "restore"] {
            let copy = try RouterCopy()
            defer { copy.remove() }
            try FileManager.default.removeItem(at: copy.root.appendingPathComponent("etc/sysupgrade.conf"))
            try FileManager.default.removeItem(at: copy.root.appendingPathComponent("etc/hotplug.d"))
            let target = try LocalDirectoryTarget(root: copy.root)
            let applier = Applier(options: ApplyOptions(owner: "t", playbook: "absent", confirmTimeout: nil))
            let result = try await applier.apply(try await Fault.plan(try StepBuilder.ocn(), target), to: target)
            #expect(
                FileManager.default.fileExists(atPath: copy.root.appendingPathComponent("etc/sysupgrade.conf").path))
            if undo == "rollback" {
                let snapshot = try await target.snapshot(paths: [], run: "last")
                _ = try await Rollback().apply(try Rollback().plan(snapshot), with: applier, to: target)
            } else {
                try await target.restore(runID: try #require(result.runID), status: "restored")
            }
            #expect(
                !FileManager.default.fileExists(atPath: copy.root.appendingPathComponent("etc/hotplug.d").path),
                "\(undo)")
            #expect(
                !FileManager.default.fileExists(atPath: copy.root.appendingPathComponent("etc/sysupgrade.conf").path),
                "\(undo)")
            #expect(
                !FileManager.default.fileExists(
                    atPath: copy.root.appendingPathComponent("etc/hotplug.d/iface/40-pppoe").path), "\(undo)")
        }
    }
}
