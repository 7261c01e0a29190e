import Foundation
import Testing
import VirtualRouter
import WrtformEngine

/// The router's own safety net: the watchdog the write arms, and the boot hook that stands in for
/// it when the router reboots. Here the change itself cuts wrtform off (the firewall reload stops
/// the router's SSH server, as a bad firewall would), so nothing but the router can undo it.
@Suite struct WatchdogTests {
    /// Stops dropbear from the firewall's reload, once; the router itself keeps running.
    static let cutOff = ServiceBehavior.run(
        "[ -f /tmp/.cut-once ] || { : > /tmp/.cut-once; kill $(cat /var/run/dropbear.pid); }")

    func options(confirmTimeout: Int) -> ApplyOptions {
        ApplyOptions(owner: "tester@ci", playbook: "watchdog", confirmTimeout: confirmTimeout, verifyTimeout: 2)
    }

    /// Applies the OCN steps with the firewall cutting the router off; returns the error wrtform
    /// gave and the states before and after.
    func applyCuttingOff(
        _ router: VirtualRouter, confirmTimeout: Int
    ) async throws -> (error: EngineError?, before: [String: Data], after: [String: Data]) {
        try router.setServiceBehavior(Self.cutOff, for: "firewall")
        let target = router.sshTarget(commandTimeout: .seconds(30))
        let before = router.etc()
        let plan = try await Fault.plan(try StepBuilder.ocn(), target)
        let error = await #expect(throws: EngineError.self) {
            _ = try await Applier(options: options(confirmTimeout: confirmTimeout)).apply(plan, to: target)
        }
        await target.close()
        #expect(!router.isSSHServerRunning)
        #expect(router.isRunning)
        return (error, before, Fault.after(before, plan))
    }

    /// The confirm timeout the watchdog tests arm: long enough that, on 2 loaded cores (a whole
    /// suite running), the apply has returned and the test looked at the pending run before it fires.
    static let watchdogTimeout = 25

    @Test func unreachableRouterRestoresItselfWithinTheTimeout() async throws {
        try await withVirtualRouter { router in
            let (error, before, after) = try await applyCuttingOff(router, confirmTimeout: Self.watchdogTimeout)
            let message = error?.message ?? ""
            let clock = try #require(
                message.firstMatch(of: /will restore the old files by itself at (\d\d):(\d\d):(\d\d) UTC/), "\(message)"
            )
            // Now the router holds the new files, waiting for a confirmation that cannot come.
            let runID = try router.onlyRun()
            #expect(router.runStatus(runID) == "pending")
            #expect(router.lockHeld)
            #expect(router.bootHookInstalled)

            let restored = await Fault.eventually(.seconds(75)) {
                router.runStatus(runID) == "reverted" && !router.lockHeld
            }
            let restoredAt = Date()
            #expect(restored, "status \(router.runStatus(runID) ?? "none"), lock held: \(router.lockHeld)")
            #expect(router.etc() == before)
            #expect(router.etc() != after)
            #expect(!router.bootHookInstalled)
            // Not before its time: the watchdog waited for the confirmation it announced.
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
            let now = calendar.dateComponents([.hour, .minute, .second], from: restoredAt)
            let announced = (Int(clock.1) ?? 0) * 3600 + (Int(clock.2) ?? 0) * 60 + (Int(clock.3) ?? 0)
            let seen = (now.hour ?? 0) * 3600 + (now.minute ?? 0) * 60 + (now.second ?? 0)
            #expect((seen - announced + 86400) % 86400 < 45, "restored at \(seen), announced \(announced)")
            #expect((announced - seen + 86400) % 86400 <= 1 || seen >= announced, "restored before the announced time")
            // It reloaded the old configuration, and said so in the log.
            let reloaded = try await Fault.eventually(.seconds(5)) { try router.serviceCalls().count >= 4 }
            #expect(reloaded, "\((try? router.serviceCalls()) ?? [])")
            #expect(
                try router.logMessages().contains {
                    $0.contains("run \(runID) was not confirmed in time: its files were restored")
                })
            // …and is done: nothing of the run is left running.
            #expect(
                await Fault.eventually(.seconds(10)) { ((try? router.processes(mentioning: runID)) ?? ["?"]).isEmpty })

            // Reachable again, the router takes the same change (this time without cutting us off).
            try router.setServiceBehavior(.succeed, for: "firewall")
            try await router.restartSSHServer()
            let target = router.sshTarget()
            let again = try await Fault.plan(try StepBuilder.ocn(), target)
            #expect((again.notices + again.warnings).isEmpty, "\(again.notices + again.warnings)")
            #expect(try await Applier(options: options(confirmTimeout: 30)).apply(again, to: target).status == .done)
            #expect(router.etc() == after)
            await target.close()
        }
    }

    @Test func rebootBeforeTheWatchdogFiresRestoresAtBoot() async throws {
        try await withVirtualRouter { router in
            let (_, before, after) = try await applyCuttingOff(router, confirmTimeout: 60)
            let runID = try router.onlyRun()
            #expect(router.runStatus(runID) == "pending")
            #expect(try !router.processes(mentioning: runID).isEmpty, "the watchdog should be waiting")

            // Power off: everything dies, the watchdog with it. Then boot.
            try router.killSSHServer()
            #expect(router.etc() != before)
            let boot = try router.bootUCIDefaults()
            #expect(boot.exitCode == 0, "\(boot.output)")
            #expect(router.etc() == before)
            #expect(router.etc() != after)
            #expect(router.runStatus(runID) == "reverted")
            #expect(!router.bootHookInstalled)
            #expect(!router.lockHeld)
            #expect(try router.logMessages().contains { $0.contains("run \(runID) restored at boot") })

            try await router.restartSSHServer()
            let target = router.sshTarget()
            let snapshot = try await target.snapshot(paths: [], run: nil)
            #expect(snapshot.lock == nil)
            #expect(snapshot.runs.map(\.status) == [.reverted])
            await target.close()
        }
    }

    /// A power cut soon after a status was rewritten can leave it empty on flash: the boot hook
    /// treats such a journaled run as unconfirmed and restores it (the safe side).
    @Test func bootRestoresARunWhoseStatusWasLost() async throws {
        try await withVirtualRouter { router in
            let (_, before, _) = try await applyCuttingOff(router, confirmTimeout: 60)
            let runID = try router.onlyRun()
            try router.killSSHServer()
            try router.write("/etc/wrtform/runs/\(runID)/status", "")
            let boot = try router.bootUCIDefaults()
            #expect(boot.exitCode == 0, "\(boot.output)")
            #expect(router.etc() == before)
            #expect(router.runStatus(runID) == "reverted")
            #expect(!router.bootHookInstalled)
        }
    }

    @Test func rebootInTheMiddleOfTheWatchdogsRestoreFinishesAtBoot() async throws {
        try await withVirtualRouter { router in
            let (_, before, after) = try await applyCuttingOff(router, confirmTimeout: Self.watchdogTimeout)
            let runID = try router.onlyRun()
            #expect(router.runStatus(runID) == "pending", "the watchdog fired before the fault point was set")
            // The watchdog puts files back one rename at a time: hold it after the first.
            let second = try FaultPoint(.applet("mv"), call: 2, on: router)
            try await second.waitUntilReached(timeout: .seconds(75), "the watchdog's second rename")
            guard case .mixed = router.outcome(before: before, after: after) else {
                Issue.record("expected half the files restored, found \(router.outcome(before: before, after: after))")
                return
            }
            try router.killSSHServer()
            try second.remove()
            let boot = try router.bootUCIDefaults()
            #expect(boot.exitCode == 0, "\(boot.output)")
            #expect(router.etc() == before)
            #expect(router.runStatus(runID) == "reverted")
            #expect(!router.bootHookInstalled)
            #expect(!router.lockHeld)
        }
    }

    @Test(arguments: FaultPhase.allCases)
    func powerLossAt(_ phase: FaultPhase) async throws {
        try await withVirtualRouter { router in
            let target = router.sshTarget(commandTimeout: .seconds(30))
            let before = router.etc()
            let plan = try await Fault.plan(try StepBuilder.ocn(), target)
            let after = Fault.after(before, plan)
            let (point, apply) = try phase.startApply(plan, to: target, on: router)
            try await point.waitUntilReached(phase.rawValue)
            let runID = router.runIDs().first

            try router.killSSHServer()
            await #expect(throws: (any Error).self) { _ = try await apply.value }
            await target.close()
            try point.remove()
            let boot = try router.bootUCIDefaults()
            #expect(boot.exitCode == 0, "\(boot.output)")
            #expect(router.outcome(before: before, after: after) == .before)
            #expect(!router.bootHookInstalled)
            #expect(!router.lockHeld)
            // Before the journal is complete nothing had changed: the boot hook only closes the run.
            switch phase {
            case .afterLock: #expect(runID == nil)
            case .afterJournal: #expect(router.runStatus(runID ?? "") == "aborted")
            default: #expect(router.runStatus(runID ?? "") == "reverted")
            }
            if let runID { #expect(!router.exists("/etc/wrtform/runs/\(runID)/payload")) }

            try await router.restartSSHServer()
            let fresh = router.sshTarget()
            let again = try await Fault.plan(try StepBuilder.ocn(), fresh)
            #expect(try await Applier(options: Fault.options).apply(again, to: fresh).status == .done)
            #expect(router.outcome(before: before, after: after) == .after)
            await fresh.close()
        }
    }

    @Test func confirmationAfterTheWatchdogFiredIsRefused() async throws {
        try await withVirtualRouter { router in
            let target = router.sshTarget(commandTimeout: .seconds(30))
            let before = router.etc()
            var plan = try await Fault.plan(try StepBuilder.ocn(), target)
            // Only the late probe decides: the steps' own checks (the hook parses, ...) fail once the
            // watchdog has put the old files back, which would end the verify before the confirmation.
            plan.postChecks = []
            // The check passes only once the watchdog (10 s: room for a loaded CI machine) has taken the decision: the
            // confirmation arrives just too late.
            let probe = PostCheck(
                "passes late",
                command:
                    "n=0; until ls -d /etc/wrtform/runs/*/decided >/dev/null 2>&1 || [ $n -ge 300 ]; do sleep 0.2; n=$((n + 1)); done",
                needsNetifd: false)
            let options = ApplyOptions(
                owner: "tester@ci", playbook: "late", confirmTimeout: 10, probes: [probe], verifyTimeout: 60)
            let error = await #expect(throws: EngineError.self) {
                _ = try await Applier(options: options).apply(plan, to: target)
            }
            // The watchdog's decision stands: the confirmation is refused as too late — or, on a
            // machine loaded enough that the watchdog fired before the reload, the reload is.
            let message = error?.message ?? ""
            #expect(
                message.contains("too late") || message.contains("the router's watchdog had already restored it"),
                "\(message)")
            // (What the message adds depends on whether the watchdog had finished restoring when we
            // asked; the router's end state below is what must hold.)
            let runID = try router.onlyRun()
            let settled = await Fault.eventually(.seconds(30)) { !router.lockHeld && router.etc() == before }
            #expect(settled)
            // "reverted" when the watchdog restored; "restored" when, that loaded, the reload found the
            // watchdog's decision taken and wrtform's own unwinding closed the run. Never "done".
            #expect(["reverted", "restored"].contains(router.runStatus(runID) ?? "none"))
            #expect(!router.bootHookInstalled)
            await target.close()
        }
    }
}
