import Foundation
import Testing
import VirtualRouter
import WrtformEngine

/// One writer at a time: two applies started together, and a lock a dead run left behind.
@Suite struct FaultLockTests {
    @Test func twoAppliesAtOnceOneWinsTheOtherIsToldWho() async throws {
        try await withVirtualRouter { router in
            let before = router.etc()
            let graph = try StepBuilder.ocn()
            let alice = router.sshTarget()
            let bob = router.sshTarget()
            let alicePlan = try await Fault.plan(graph, alice)
            let bobPlan = try await Fault.plan(graph, bob)
            // Whoever takes the lock first is held inside it (its compare-and-swap waits), so the
            // other surely arrives while it is taken.
            let point = try FaultPoint(.applet("sha256sum"), call: 1, on: router)
            func options(_ owner: String) -> ApplyOptions {
                ApplyOptions(owner: owner, playbook: "ocn", confirmTimeout: 30, verifyTimeout: 2)
            }
            let first = Task { try await Applier(options: options("alice@laptop")).apply(alicePlan, to: alice) }
            let second = Task { try await Applier(options: options("bob@desktop")).apply(bobPlan, to: bob) }
            try await point.waitUntilReached()
            let owner = router.read("/var/lock/wrtform/owner").split(separator: "\n").first.map(String.init) ?? ""
            let winner = owner == "alice@laptop" ? first : second
            let loser = owner == "alice@laptop" ? second : first
            let error = await #expect(throws: EngineError.self) { _ = try await loser.value }
            #expect(error?.kind == .locked)
            #expect(error?.message.contains("is locked by \(owner) (run ") == true, "\(error?.message ?? "")")
            #expect(error?.message.contains(/since \d+ s ago; nothing was changed/) == true, "\(error?.message ?? "")")
            #expect(error?.hint == "wait for that run to finish, or pass --force if it died")
            try point.release()
            #expect(try await winner.value.status == .done)
            #expect(router.etc() == Fault.after(before, alicePlan))
            #expect(!router.lockHeld)
            // The refused apply left no run behind.
            #expect(router.runIDs().count == 1)
            try point.remove()
            await alice.close()
            await bob.close()
        }
    }

    @Test func lockLeftByADeadRunIsReportedAndForceBreaksIt() async throws {
        try await withVirtualRouter { router in
            // A lock ten minutes old, from a run whose process is long gone.
            _ = try router.runInSandbox(
                """
                mkdir -p /var/lock/wrtform
                printf '%s\\n' ghost@gone 4242 $(( $(date +%s) - 600 )) 20260101T000000Z-dead > /var/lock/wrtform/owner
                """)
            let target = router.sshTarget()
            let before = router.etc()
            let plan = try await Fault.plan(try StepBuilder.ocn(), target)
            #expect(plan.notices.contains { $0.contains("locked by ghost@gone") }, "\(plan.notices)")
            let error = await #expect(throws: EngineError.self) {
                _ = try await Applier(options: Fault.options).apply(plan, to: target)
            }
            #expect(
                error?.message
                    == "\(target.name) is locked by ghost@gone (run 20260101T000000Z-dead, pid 4242) since 10 min ago; nothing was changed"
            )
            #expect(router.etc() == before)
            #expect(router.runIDs().isEmpty)

            var force = Fault.options
            force.breakLock = true
            // The dead run was left pending (its client died): breaking its lock abandons it, so
            // the boot hook will never put its old files back over what comes after.
            _ = try router.runInSandbox(
                """
                d=/etc/wrtform/runs/20260101T000000Z-dead
                mkdir -p $d && echo apply > $d/kind && echo pending > $d/status && : > $d/journaled
                """)
            #expect(try await Applier(options: force).apply(plan, to: target).status == .done)
            #expect(router.runStatus("20260101T000000Z-dead") == "abandoned")
            #expect(!router.bootHookInstalled)
            #expect(router.etc() == Fault.after(before, plan))
            #expect(!router.lockHeld)
            await target.close()
        }
    }

    /// --force breaks only a lock whose run is over: a run waiting for confirmation (its
    /// watchdog alive) and a lock under two minutes old that has not ended are left standing.
    @Test func forceLeavesALiveRunsLockAlone() async throws {
        try await withVirtualRouter { router in
            let graph = try StepBuilder.ocn()
            let holder = router.sshTarget()
            let plan = try await Fault.plan(graph, holder)
            let before = router.etc()
            let (point, running) = try FaultPhase.beforeConfirm.startApply(plan, to: holder, on: router)
            try await point.waitUntilReached("the holder's verify")

            let intruder = router.sshTarget()
            let other = try StepGraph([
                .init(
                    step: try StepBuilder.step(
                        "fwd", "redirect", ["src": "wan", "src_dport": "8080", "dest_ip": "192.168.1.9"]))
            ])
            var force = Fault.options
            force.owner = "bob@desktop"
            force.breakLock = true
            let error = await #expect(throws: EngineError.self) {
                _ = try await Applier(options: force).apply(try await Fault.plan(other, intruder), to: intruder)
            }
            #expect(
                error?.message.contains(
                    "that run is waiting for confirmation: --force does not break it; nothing was changed") == true,
                "\(error?.message ?? "")")
            #expect(router.lockHeld)
            try point.release()
            #expect(try await running.value.status == .done)
            #expect(router.etc() == Fault.after(before, plan))
            try point.remove()

            // A lock taken ten seconds ago by a run that has not ended (no watchdog: --no-confirm).
            _ = try router.runInSandbox(
                """
                mkdir -p /var/lock/wrtform
                printf '%s\\n' carol@tablet 4242 $(( $(date +%s) - 10 )) 20260101T000000Z-0001 > /var/lock/wrtform/owner
                """)
            let young = await #expect(throws: EngineError.self) {
                _ = try await Applier(options: force).apply(try await Fault.plan(other, intruder), to: intruder)
            }
            #expect(
                young?.message.contains(
                    "that run may still be going: --force breaks a lock only once it is 2 minutes old") == true,
                "\(young?.message ?? "")")
            #expect(router.read("/var/lock/wrtform/owner").hasPrefix("carol@tablet\n"))
            await holder.close()
            await intruder.close()
        }
    }
}
