import Foundation
import Testing
import VirtualRouter
import WrtformEngine

/// A run's packages undone while, or after, the package manager was cut short: a restore firing
/// during an install (the watchdog's, or another wrtform's), and a reboot before the run was
/// confirmed (the boot hook's restore).
@Suite struct PackageInterruptTests {
    /// The firewall reload (after the packages) stops the SSH server, once: no one can confirm.
    static let cutOff = ServiceBehavior.run(
        "[ -f /tmp/.cut-once ] || { : > /tmp/.cut-once; kill $(cat /var/run/dropbear.pid); }")

    static func graph() throws -> StepGraph {
        try PackageSSHTests.graph([
            try StepBuilder.step("marker", "file", ["path": "/etc/wrtform-marker", "content": "x\n"]),
            try StepBuilder.step("mape", "package", ["name": "map"]),
            try StepBuilder.step(
                "open", "firewall-rule",
                ["name": "Allow-Test", "src": "wan", "proto": "udp", "dest_port": "51820", "target": "ACCEPT"]),
        ])
    }

    /// Applies the graph with opkg's download of `map` stalled (its dependency already installed);
    /// returns the apply still waiting on it and the run.
    static func applyStalled(
        _ router: VirtualRouter, _ target: SSHRouterTarget
    ) async throws -> (Task<ApplyResult, any Error>, String) {
        let plan = try await PackageSSHTests.plan(try graph(), target)
        try router.setPackageFeed(.stalled)
        let apply = Task { try await Applier(options: PackageSSHTests.options()).apply(plan, to: target) }
        let stalled = await Fault.eventually(.seconds(60)) { router.isPackageDownloadStalled }
        try #require(stalled, "opkg never got to the stalled download")
        #expect(router.installedPackages().contains("kmod-ip6-tunnel"))
        return (apply, try router.onlyRun())
    }

    /// The restore stops the whole command round trip — opkg too, not just the script that
    /// started it — and removes what the interrupted install had already added (the dependency,
    /// not yet in the run's log). Left running, opkg would finish installing `map` after the
    /// restore, or hold its lock against the restore's `opkg remove`.
    @Test func aRestoreDuringAnInstallStopsOpkgAndUndoesWhatItDid() async throws {
        try await withVirtualRouter(PackageSSHTests.router(.opkg)) { router in
            let before = router.installedPackages()
            let firewall = router.read("/etc/config/firewall")
            let target = router.sshTarget()
            let (apply, runID) = try await Self.applyStalled(router, target)

            // The run's restore, as the watchdog (or another wrtform) runs it.
            let other = router.sshTarget()
            try await other.restore(runID: runID, status: RunStatus.restored.rawValue)
            await other.close()
            // Were opkg still there, the download would now go on.
            try router.setPackageFeed(.online)
            await #expect(throws: EngineError.self) { _ = try await apply.value }
            await target.close()
            let gone = await Fault.eventually(.seconds(15)) {
                ((try? router.processes(mentioning: "opkg")) ?? ["?"]).isEmpty
            }
            #expect(gone, "\((try? router.processes(mentioning: "opkg")) ?? [])")
            #expect(router.installedPackages() == before)
            #expect(!router.exists("/lib/netifd/proto/map.sh"))
            #expect(!router.exists("/lib/modules/6.6.73/ip6_tunnel.ko"))
            #expect(!router.exists("/etc/wrtform-marker"))
            #expect(router.read("/etc/config/firewall") == firewall)
            #expect(router.runStatus(runID) == "restored")
            #expect(router.read("/etc/wrtform/runs/\(runID)/actions.undone") == "i kmod-ip6-tunnel - mape\n")
            #expect(!router.read("/etc/wrtform/runs/\(runID)/output").contains("Could not lock"))
            #expect(!router.lockHeld)
        }
    }

    /// Power lost in the middle of an install: at boot the run's restore removes what it had added.
    @Test func powerLossDuringAnInstallIsUndoneAtBoot() async throws {
        try await withVirtualRouter(PackageSSHTests.router(.opkg)) { router in
            let before = router.installedPackages()
            let target = router.sshTarget()
            let (apply, runID) = try await Self.applyStalled(router, target)
            try router.killSSHServer()
            await #expect(throws: (any Error).self) { _ = try await apply.value }
            await target.close()
            try router.setPackageFeed(.online)
            let boot = try router.bootUCIDefaults()
            #expect(boot.exitCode == 0, "\(boot.output)")
            #expect(router.installedPackages() == before)
            #expect(!router.exists("/etc/wrtform-marker"))
            #expect(router.runStatus(runID) == "reverted")
            #expect(!router.bootHookInstalled)
            #expect(!router.lockHeld)
        }
    }

    /// A run that installed packages and was never confirmed (its reload cut wrtform off), then
    /// the router lost power: the boot hook removes the packages again and puts the files back.
    @Test func anUnconfirmedRunsPackagesAreRemovedAtBoot() async throws {
        try await withVirtualRouter(PackageSSHTests.router(.opkg)) { router in
            let before = router.installedPackages()
            let firewall = router.read("/etc/config/firewall")
            try router.setServiceBehavior(Self.cutOff, for: "firewall")
            let target = router.sshTarget(commandTimeout: .seconds(30))
            let plan = try await PackageSSHTests.plan(try Self.graph(), target)
            await #expect(throws: EngineError.self) {
                try await Applier(options: PackageSSHTests.options()).apply(plan, to: target)
            }
            await target.close()
            let runID = try router.onlyRun()
            #expect(router.runStatus(runID) == "pending")
            #expect(router.installedPackages().contains("map"))
            #expect(router.exists("/lib/netifd/proto/map.sh"))

            // Power off: everything dies, the watchdog with it. Then boot.
            try router.killSSHServer()
            try router.setServiceBehavior(.succeed, for: "firewall")
            let boot = try router.bootUCIDefaults()
            #expect(boot.exitCode == 0, "\(boot.output)")
            #expect(router.installedPackages() == before)
            #expect(!router.exists("/lib/netifd/proto/map.sh"))
            #expect(!router.exists("/lib/modules/6.6.73/ip6_tunnel.ko"))
            #expect(!router.exists("/etc/wrtform-marker"))
            #expect(router.read("/etc/config/firewall") == firewall)
            #expect(router.runStatus(runID) == "reverted")
            #expect(
                router.read("/etc/wrtform/runs/\(runID)/actions.undone") == "i kmod-ip6-tunnel - mape\ni map - mape\n")
            #expect(!router.bootHookInstalled)
            #expect(!router.lockHeld)
            #expect(try router.logMessages().contains { $0.contains("run \(runID) restored at boot") })

            try await router.restartSSHServer()
            let again = router.sshTarget()
            let snapshot = try await again.snapshot(paths: [], run: nil)
            #expect(snapshot.runs.map(\.status) == [.reverted])
            await again.close()
        }
    }
}
