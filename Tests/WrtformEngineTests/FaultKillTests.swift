import Foundation
import Testing
import VirtualRouter
import WrtformEngine

/// wrtform is killed with SIGKILL at each phase of an apply: the real `wrtform apply` runs as a
/// child process and dies while the router is held at that phase. Nobody comes back to settle the
/// run — the router must do it alone (the write finishes or abandons itself; the watchdog the
/// write armed restores): exactly as before, lock released, nothing left running.
@Suite struct FaultKillTests {
    static let confirmTimeout = 30 // room for a loaded CI machine to reach each phase before the watchdog fires

    @Test(arguments: FaultPhase.allCases)
    func wrtformKilledAt(_ phase: FaultPhase) async throws {
        try await withVirtualRouter { router in
            let before = router.etc()
            let (point, _) = try phase.point(on: router)
            let cli = try FaultCLI(probe: phase == .beforeConfirm ? point.script : nil)
            defer { cli.remove() }
            let child = try cli.startApply(router, confirmTimeout: Self.confirmTimeout)
            try await point.waitUntilReached(phase.rawValue)
            let heldAt = router.etc()
            try await FaultCLI.kill(child)
            // Let the router notice: its SSH session for the dead client ends.
            let noticed = try await Fault.eventually(.seconds(10)) { try router.sshSessions() == 0 }
            #expect(noticed, "the router still serves a session of the killed wrtform")
            let commandsAtDeath = try router.commandLog().count
            try point.release()

            let settled = await Fault.eventually(.seconds(Self.confirmTimeout + 20)) {
                router.etc() == before && !router.lockHeld
            }
            let runID = try router.onlyRun()
            #expect(
                settled,
                "the router did not settle on its own: files \(router.etc() == before ? "as before" : "changed"), lock held: \(router.lockHeld), status \(router.runStatus(runID) ?? "none")\n\(cli.output)"
            )
            #expect(!router.bootHookInstalled)
            #expect(
                ["reverted", "aborted"].contains(router.runStatus(runID) ?? "none"),
                "status \(router.runStatus(runID) ?? "none")")
            if phase.filesChangedYet {
                // It was not nothing: new files were in place when wrtform died.
                #expect(heldAt != before)
                #expect(router.runStatus(runID) == "reverted")
                let logged = try await Fault.eventually(.seconds(5)) {
                    try router.logMessages().contains {
                        $0.contains("run \(runID) was not confirmed in time: its files were restored")
                    }
                }
                #expect(logged, "syslog: \((try? router.logMessages()) ?? [])")
            }
            // The router did it alone: not one more command came over SSH.
            #expect(try router.commandLog().count == commandsAtDeath)
            let quiet = try await Fault.eventually(.seconds(10)) { try router.processes(mentioning: runID).isEmpty }
            let leftovers = try router.processes(mentioning: runID)
            #expect(quiet, "still running: \(leftovers)")
        }
    }
}
