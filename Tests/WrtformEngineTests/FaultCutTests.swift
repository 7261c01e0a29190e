import Foundation
import Testing
import VirtualRouter
import WrtformEngine

/// The network drops wrtform's connection at each phase of an apply (the delaying proxy cuts every
/// open connection while the router is held at that phase). wrtform itself lives on: it must
/// settle the run over a fresh connection, leaving the router exactly as it was before — never a
/// mix — with the lock released and no part of the run still running.
@Suite struct FaultCutTests {
    @Test(arguments: FaultPhase.allCases)
    func connectionCutAt(_ phase: FaultPhase) async throws {
        try await withVirtualRouter { router in
            let proxy = try DelayingProxy(targetHost: router.host, targetPort: router.port, delay: .milliseconds(1))
            defer { proxy.stop() }
            let target = router.proxiedTarget(proxy)
            let graph = try StepBuilder.ocn()
            let before = router.etc()
            let plan = try await Fault.plan(graph, target)
            let after = Fault.after(before, plan)
            let (point, apply) = try phase.startApply(plan, to: target, on: router)

            try await point.waitUntilReached(phase.rawValue)
            if phase == .midRename {
                // Held between two renames: the files on the router really are a mix right now.
                if case .mixed = router.outcome(before: before, after: after) {
                } else {
                    Issue.record("expected a mix of old and new files while held between renames")
                }
            }
            proxy.cutAll()
            try point.release()

            if phase == .beforeConfirm, case .success(let result) = await apply.result {
                // Cut after the checks had passed: the router may confirm before it notices we are
                // gone. wrtform finds that out over a fresh connection and says the change stands.
                #expect(result.status == .done)
                #expect(router.outcome(before: before, after: after) == .after)
                #expect(!router.lockHeld && !router.bootHookInstalled)
                try point.remove()
                await target.close()
                return
            }
            let error = await #expect(throws: EngineError.self) { _ = try await apply.value }
            let message = error?.message ?? ""
            #expect(message.contains("back where it was") || message.contains("nothing was changed"), "\(message)")

            let settled = await Fault.eventually(.seconds(20)) {
                router.outcome(before: before, after: after) == .before && !router.lockHeld
            }
            #expect(settled, "files: \(router.outcome(before: before, after: after)), lock held: \(router.lockHeld)")
            #expect(!router.bootHookInstalled)
            let runID = try router.onlyRun()
            #expect(
                ["restored", "aborted"].contains(router.runStatus(runID) ?? "none"),
                "status \(router.runStatus(runID) ?? "none")")
            // Nothing of the run is left running on the router (watchdog stopped, reload killed).
            let quiet = try await Fault.eventually(.seconds(10)) { try router.processes(mentioning: runID).isEmpty }
            let leftovers = try router.processes(mentioning: runID)
            #expect(quiet, "still running: \(leftovers)")
            // And the router takes the next apply.
            try point.remove()
            let again = try await Fault.plan(graph, target)
            let done = try await Applier(options: Fault.options).apply(again, to: target)
            #expect(done.status == .done)
            #expect(router.outcome(before: before, after: after) == .after)
            await target.close()
        }
    }
}
