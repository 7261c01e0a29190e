import Foundation
import Testing
import VirtualRouter
import WrtformEngine

/// Reloads that go wrong: one that fails, one that never returns.
@Suite struct FaultReloadTests {
    @Test func secondServiceFailingPutsEverythingBack() async throws {
        try await withVirtualRouter { router in
            try router.setServiceBehavior(.fail(4), for: "firewall")
            // Unusual modes and owners, to see them come back exactly (the journal's copies are 0600).
            let modes = "/etc/config/firewall /etc/config/network /etc/iproute2/rt_tables /etc/sysupgrade.conf"
            _ = try router.runInSandbox(
                """
                chmod 0640 /etc/config/firewall; chown 12:34 /etc/config/firewall
                chmod 4754 /etc/iproute2/rt_tables; chmod 1604 /etc/sysupgrade.conf; chmod 2640 /etc/config/network
                """)
            // Mode, owner, group and name only: the time column may cross a minute boundary.
            let modesBefore = try router.runInSandbox("ls -ln \(modes) | awk '{print $1, $3, $4, $NF}'").output
            let target = router.sshTarget()
            let before = router.etc()
            let plan = try await Fault.plan(try StepBuilder.ocn(), target)
            let after = Fault.after(before, plan)
            let error = await #expect(throws: EngineError.self) {
                _ = try await Applier(options: Fault.options).apply(plan, to: target)
            }
            #expect(
                error?.message
                    == "reload of firewall failed (exit 4); the router restored its files and is back where it was")
            #expect(router.outcome(before: before, after: after) == .before)
            // The hotplug script and rt_tables, journaled like any file, are back too.
            #expect(!router.exists("/etc/hotplug.d/iface/40-pppoe"))
            #expect(
                router.read("/etc/iproute2/rt_tables")
                    == String(decoding: before["/etc/iproute2/rt_tables"] ?? Data(), as: UTF8.self))
            #expect(!router.lockHeld)
            let modesAfter = try router.runInSandbox("ls -ln \(modes) | awk '{print $1, $3, $4, $NF}'").output
            #expect(modesAfter == modesBefore)
            #expect(
                modesBefore.contains("-rwsr-xr--") && modesBefore.contains("-rw----r-T")
                    && modesBefore.contains(" 12 34 "))
            let runID = try router.onlyRun()
            #expect(router.runStatus(runID) == "restored")
            // network had loaded the new files: both reload again, from the old ones.
            let reloaded = await Fault.eventually(.seconds(10)) { ((try? router.serviceCalls()) ?? []).count == 4 }
            #expect(reloaded)
            #expect(try router.serviceCalls().map(\.service) == ["network", "firewall", "network", "firewall"])
            await target.close()
        }
    }

    @Test func hangingReloadIsCutShortAndUndone() async throws {
        try await withVirtualRouter { router in
            try router.setServiceBehavior(.hang, for: "firewall")
            let target = router.sshTarget(commandTimeout: .seconds(4))
            let before = router.etc()
            // Planned over a connection of its own: on a loaded machine the read alone can pass 4 s.
            let plan = try await Fault.plan(try StepBuilder.ocn(), router.sshTarget())
            let after = Fault.after(before, plan)
            var options = Fault.options
            options.confirmTimeout = 90
            let started = ContinuousClock.now
            let error = await #expect(throws: EngineError.self) {
                _ = try await Applier(options: options).apply(plan, to: target)
            }
            let message = error?.message ?? ""
            // (The reload runs in the write's round trip, which is what timed out.)
            #expect(message.hasPrefix("the write (and the reload it starts) did not come back"), "\(message)")
            #expect(message.hasSuffix("the router's files were restored and it is back where it was"), "\(message)")
            // Bounded by the command timeout (4 s), not by the hang nor by the watchdog's 90 s; the
            // bound is loose, as the suite runs in parallel on a shared machine.
            #expect(ContinuousClock.now - started < .seconds(60))
            #expect(router.outcome(before: before, after: after) == .before)
            #expect(!router.lockHeld)
            #expect(!router.bootHookInstalled)
            let runID = try router.onlyRun()
            #expect(router.runStatus(runID) == "restored")
            // The reload script that hung was stopped: nothing of it is left to act later. (The old
            // configuration's own reload, in the background, hangs on the same stub — by design it
            // cannot hold anything up.)
            let scripts = try router.processes(mentioning: runID).filter { $0.contains(" -c ") }
            #expect(scripts.isEmpty, "\(scripts)")

            // The router takes the next apply at once.
            try router.setServiceBehavior(.succeed, for: "firewall")
            let again = try await Fault.plan(try StepBuilder.ocn(), target)
            #expect((again.notices + again.warnings).isEmpty, "\(again.notices + again.warnings)")
            #expect(try await Applier(options: Fault.options).apply(again, to: target).status == .done)
            #expect(router.outcome(before: before, after: after) == .after)
            await target.close()
        }
    }
}
