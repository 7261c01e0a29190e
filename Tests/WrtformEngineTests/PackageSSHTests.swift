import Foundation
import Testing
import VirtualRouter
import WrtformEngine

/// Package steps end to end through real SSH, against virtual routers with opkg (24.10) and apk (25.12).
@Suite struct PackageSSHTests {
    static func options(_ playbook: String = "packages") -> ApplyOptions {
        ApplyOptions(owner: "tester@ci", playbook: playbook, confirmTimeout: 60, verifyTimeout: 2)
    }

    static func router(_ manager: PackageManagerKind) -> VirtualRouter.Options {
        var options = VirtualRouter.Options()
        options.packageManager = manager
        return options
    }

    static func graph(_ steps: [any Step]) throws -> StepGraph {
        try StepGraph(steps.map { StepGraph.Node(step: $0) })
    }

    static func plan(_ graph: StepGraph, _ target: SSHRouterTarget) async throws -> Plan {
        let planner = Planner()
        return try planner.plan(graph, on: try await planner.snapshot(of: graph, from: target))
    }

    static func rollback(_ target: SSHRouterTarget) async throws -> (Plan, ApplyResult) {
        let plan = try Rollback().plan(try await target.snapshot(paths: [], run: "last"))
        return (plan, try await Rollback().apply(plan, with: Applier(options: options()), to: target))
    }

    /// Installs packages on the router before the test's run (as a user would have).
    static func preinstall(_ names: [String], on router: VirtualRouter, _ manager: PackageManagerKind) throws {
        let command = manager == .opkg ? "opkg update && opkg install" : "apk update && apk add"
        let run = try router.runInSandbox("\(command) \(names.joined(separator: " "))")
        #expect(run.exitCode == 0, "\(run.output)")
    }

    @Test(arguments: PackageManagerKind.allCases)
    func installPlanCleanAndRollback(_ manager: PackageManagerKind) async throws {
        try await withVirtualRouter(Self.router(manager)) { router in
            let graph = try Self.graph([try StepBuilder.step("mape", "package", ["name": "map"])])
            let target = router.sshTarget()
            let plan = try await Self.plan(graph, target)
            #expect(await target.roundTrips() == 1)
            #expect(plan.steps.first?.summary == ["+ package map: install"])
            #expect(plan.hasPendingChanges)
            #expect(plan.snapshot.facts.packageManager == manager.rawValue)

            let result = try await Applier(options: Self.options()).apply(plan, to: target)
            #expect(result.status == .done)
            // plan + write + packages + reload + confirm
            #expect(await target.roundTrips() == 5)
            #expect(router.installedPackages().contains("map"))
            #expect(router.installedPackages().contains("kmod-ip6-tunnel"))
            #expect(router.exists("/lib/netifd/proto/map.sh"))
            #expect(router.packageListUpdates() == 1)
            let runID = try #require(result.runID)
            let output = router.read("/etc/wrtform/runs/\(runID)/output")
            #expect(output.contains(manager == .opkg ? "Installing map (8-r1) to root" : "(1/1) Installing map (8-r1)"))

            let again = router.sshTarget()
            let second = try await Self.plan(graph, again)
            #expect(!second.hasChanges)
            #expect(second.steps.first?.action == .noop)
            #expect(await again.roundTrips() == 1)

            let (undo, undone) = try await Self.rollback(target)
            #expect(
                undo.commands == [
                    .package(name: "map", install: false), .package(name: "kmod-ip6-tunnel", install: false),
                ])
            #expect(undone.status == .done)
            #expect(!router.installedPackages().contains("map"))
            #expect(!router.installedPackages().contains("kmod-ip6-tunnel"))
            #expect(!router.exists("/lib/netifd/proto/map.sh"))
            #expect(router.installedPackages().contains("busybox"))
            await target.close()
            await again.close()
        }
    }

    @Test(arguments: PackageManagerKind.allCases)
    func packagesInstalledBeforeTheRunSurviveItsRollback(_ manager: PackageManagerKind) async throws {
        try await withVirtualRouter(Self.router(manager)) { router in
            try Self.preinstall(["tcpdump", "kmod-wireguard"], on: router, manager)
            let before = router.installedPackages()
            let graph = try Self.graph([
                try StepBuilder.step("tools", "package", ["name": ["tcpdump", "wireguard-tools"]])
            ])
            let target = router.sshTarget()
            let plan = try await Self.plan(graph, target)
            #expect(plan.steps.first?.summary == ["+ package wireguard-tools: install"])
            _ = try await Applier(options: Self.options()).apply(plan, to: target)
            #expect(router.installedPackages() == (before + ["wireguard-tools"]).sorted())
            // The lists were fresh (updated minutes ago): no second update.
            #expect(router.packageListUpdates() == 1)

            _ = try await Self.rollback(target)
            #expect(router.installedPackages() == before)
            #expect(router.exists("/usr/bin/tcpdump"))
            await target.close()
        }
    }

    @Test(arguments: PackageManagerKind.allCases)
    func unknownPackageRestoresTheRunsFiles(_ manager: PackageManagerKind) async throws {
        try await withVirtualRouter(Self.router(manager)) { router in
            let before = router.installedPackages()
            let graph = try Self.graph([
                try StepBuilder.step("marker", "file", ["path": "/etc/wrtform-marker", "content": "x\n"]),
                try StepBuilder.step("tools", "package", ["name": ["map", "no-such-package"]]),
            ])
            let target = router.sshTarget()
            let plan = try await Self.plan(graph, target)
            let error = await #expect(throws: EngineError.self) {
                try await Applier(options: Self.options()).apply(plan, to: target)
            }
            let message = error?.message ?? ""
            #expect(message.contains("package 'no-such-package' is unknown to \(manager.rawValue)"), "\(message)")
            #expect(
                message.contains("installed before the failure, removed again by the restore: kmod-ip6-tunnel, map"))
            #expect(message.contains("the router's files were restored"))
            #expect(!message.contains("\n"))
            #expect(!router.exists("/etc/wrtform-marker"))
            #expect(router.installedPackages() == before)
            #expect(!router.exists("/var/lock/wrtform"))
            await target.close()
        }
    }

    /// A run that writes no file (packages only) is restored as well: its restore script had an empty branch.
    @Test(arguments: PackageManagerKind.allCases)
    func aPackagesOnlyRunIsRestored(_ manager: PackageManagerKind) async throws {
        try await withVirtualRouter(Self.router(manager)) { router in
            let before = router.installedPackages()
            let graph = try Self.graph([try StepBuilder.step("tools", "package", ["name": ["map", "no-such-package"]])])
            let target = router.sshTarget()
            let plan = try await Self.plan(graph, target)
            #expect(plan.files.isEmpty)
            let error = await #expect(throws: EngineError.self) {
                try await Applier(options: Self.options()).apply(plan, to: target)
            }
            #expect(error?.message.hasSuffix("the router's files were restored and it is back where it was") == true)
            #expect(router.installedPackages() == before)
            #expect(!router.exists("/var/lock/wrtform"))
            await target.close()
        }
    }

    @Test(arguments: PackageManagerKind.allCases)
    func noNetworkAndFullFlashAreOneClearLine(_ manager: PackageManagerKind) async throws {
        try await withVirtualRouter(Self.router(manager)) { router in
            let before = router.installedPackages()
            let graph = try Self.graph([
                try StepBuilder.step("marker", "file", ["path": "/etc/wrtform-marker", "content": "x\n"]),
                try StepBuilder.step("tools", "package", ["name": "tcpdump"]),
            ])
            let target = router.sshTarget()
            try router.setPackageFeed(.offline)
            let offline = await #expect(throws: EngineError.self) {
                try await Applier(options: Self.options()).apply(try await Self.plan(graph, target), to: target)
            }
            #expect(
                offline?.message.contains("package lists failed: the router could not download them (no network?)")
                    == true, "\(offline?.message ?? "")")
            #expect(!router.exists("/etc/wrtform-marker"))

            try router.setPackageFeed(.fullFlash(kilobytes: 120))
            let full = await #expect(throws: EngineError.self) {
                try await Applier(options: Self.options()).apply(try await Self.plan(graph, target), to: target)
            }
            let message = full?.message ?? ""
            #expect(message.contains("not enough flash to install package"), "\(message)")
            if manager == .opkg { #expect(message.contains("Only have 120kb available")) }
            #expect(!message.contains("\n"))
            #expect(!router.exists("/etc/wrtform-marker"))
            #expect(router.installedPackages() == before)
            await target.close()
        }
    }

    /// Removing a package others depend on: opkg refuses (without --force-depends), apk keeps it
    /// installed but takes it out of /etc/apk/world. One line naming the reason, and apk's world
    /// is as it was (the restore leaves nothing changed).
    @Test(arguments: PackageManagerKind.allCases)
    func removingAPackageOthersNeedIsOneClearLine(_ manager: PackageManagerKind) async throws {
        try await withVirtualRouter(Self.router(manager)) { router in
            try Self.preinstall(["tcpdump", "libpcap"], on: router, manager)
            let before = router.installedPackages()
            let world = router.read("/etc/apk/world")
            let graph = try Self.graph([
                try StepBuilder.step("marker", "file", ["path": "/etc/wrtform-marker", "content": "x\n"]),
                try StepBuilder.step("no-pcap", "package", ["name": "libpcap", "absent": "true"]),
            ])
            let target = router.sshTarget()
            let error = await #expect(throws: EngineError.self) {
                try await Applier(options: Self.options()).apply(try await Self.plan(graph, target), to: target)
            }
            let message = error?.message ?? ""
            #expect(
                message.hasPrefix(
                    "package 'libpcap' cannot be removed: installed packages depend on it (\(manager.rawValue): "),
                "\(message)")
            #expect(message.contains("tcpdump"), "\(message)")
            #expect(!message.contains("\n"))
            #expect(!router.exists("/etc/wrtform-marker"))
            #expect(router.installedPackages() == before)
            #expect(router.read("/etc/apk/world") == world)
            await target.close()
        }
    }

    @Test func refreshForcesAnUpdateAndFreshListsAreKept() async throws {
        try await withVirtualRouter(Self.router(.opkg)) { router in
            let target = router.sshTarget()
            let first = try Self.graph([try StepBuilder.step("a", "package", ["name": "libpcap"])])
            _ = try await Applier(options: Self.options()).apply(try await Self.plan(first, target), to: target)
            #expect(router.packageListUpdates() == 1)
            var options = Self.options()
            options.refresh = true
            let second = try Self.graph([try StepBuilder.step("b", "package", ["name": "kmod-wireguard"])])
            _ = try await Applier(options: options).apply(try await Self.plan(second, target), to: target)
            #expect(router.packageListUpdates() == 2)
            // Lists older than a day are updated before an install.
            let old = try router.runInSandbox("touch -d '2020-01-01 00:00:00' /var/opkg-lists/*")
            #expect(old.exitCode == 0, "\(old.output)")
            let third = try Self.graph([try StepBuilder.step("c", "package", ["name": "map"])])
            _ = try await Applier(options: Self.options()).apply(try await Self.plan(third, target), to: target)
            #expect(router.packageListUpdates() == 3)
            await target.close()
        }
    }

    @Test func absentRemovesAndRollbackReinstalls() async throws {
        try await withVirtualRouter(Self.router(.opkg)) { router in
            try Self.preinstall(["tcpdump"], on: router, .opkg)
            let target = router.sshTarget()
            let graph = try Self.graph([
                try StepBuilder.step("no-tcpdump", "package", ["name": "tcpdump", "absent": "true"])
            ])
            let plan = try await Self.plan(graph, target)
            #expect(plan.steps.first?.summary == ["- package tcpdump: remove"])
            _ = try await Applier(options: Self.options()).apply(plan, to: target)
            #expect(!router.installedPackages().contains("tcpdump"))
            #expect(router.installedPackages().contains("libpcap"))
            _ = try await Self.rollback(target)
            #expect(router.installedPackages().contains("tcpdump"))
            await target.close()
        }
    }

    @Test func rollbackLeavesAloneWhatWasUndoneByHand() async throws {
        try await withVirtualRouter(Self.router(.apk)) { router in
            let target = router.sshTarget()
            let graph = try Self.graph([try StepBuilder.step("tools", "package", ["name": ["map", "tcpdump"]])])
            _ = try await Applier(options: Self.options()).apply(try await Self.plan(graph, target), to: target)
            let removed = try router.runInSandbox("apk del map kmod-ip6-tunnel")
            #expect(removed.exitCode == 0, "\(removed.output)")
            let snapshot = try await target.snapshot(paths: [], run: "last", probes: [CommandRound.packagesProbe])
            let plan = try Rollback().plan(snapshot)
            #expect(
                plan.commands == [.package(name: "tcpdump", install: false), .package(name: "libpcap", install: false)])
            await target.close()
        }
    }
}

/// The package log on the router is input, like the journal: a forged line is refused before anything runs.
@Suite struct PackageLogTrustTests {
    @Test func aForgedLogLineIsRefused() async throws {
        try await withVirtualRouter(PackageSSHTests.router(.opkg)) { router in
            let graph = try PackageSSHTests.graph([try StepBuilder.step("mape", "package", ["name": "map"])])
            let target = router.sshTarget()
            let result = try await Applier(options: PackageSSHTests.options()).apply(
                try await PackageSSHTests.plan(graph, target), to: target)
            let runID = try #require(result.runID)
            let log = "/etc/wrtform/runs/\(runID)/actions"
            #expect(router.read(log) == "i kmod-ip6-tunnel - mape\ni map - mape\n")
            try router.write(log, router.read(log) + "i busybox;reboot - mape\n")
            let snapshot = try await target.snapshot(paths: [], run: "last")
            let error = #expect(throws: EngineError.self) { try Rollback().plan(snapshot) }
            #expect(
                error?.message
                    == "the package log of run \(runID) cannot be trusted: line 3 does not name a package; nothing was changed"
            )
            await target.close()
        }
    }
}

/// The router's own watchdog undoes the packages too: the restore script it runs reads the run's log.
@Suite struct PackageWatchdogTests {
    @Test func aRouterCutOffAfterInstallingRemovesThePackagesItself() async throws {
        try await withVirtualRouter(PackageSSHTests.router(.opkg)) { router in
            let before = router.installedPackages()
            let firewall = router.read("/etc/config/firewall")
            // The firewall reload (after the packages) kills the SSH server: no one can confirm.
            try router.setServiceBehavior(
                .run("[ -f /tmp/.cut-once ] || { : > /tmp/.cut-once; kill $(cat /var/run/dropbear.pid); }"),
                for: "firewall")
            let graph = try PackageSSHTests.graph([
                try StepBuilder.step("mape", "package", ["name": "map"]),
                try StepBuilder.step(
                    "open", "firewall-rule",
                    ["name": "Allow-Test", "src": "wan", "proto": "udp", "dest_port": "51820", "target": "ACCEPT"]),
            ])
            let target = router.sshTarget(commandTimeout: .seconds(30))
            let plan = try await PackageSSHTests.plan(graph, target)
            var options = PackageSSHTests.options()
            options.confirmTimeout = 12
            await #expect(throws: EngineError.self) { try await Applier(options: options).apply(plan, to: target) }
            await target.close()
            let runID = try #require(
                try FileManager.default.contentsOfDirectory(
                    atPath: router.root.appendingPathComponent("etc/wrtform/runs").path
                ).first)
            let restored = await Fault.eventually(.seconds(45)) {
                router.read("/etc/wrtform/runs/\(runID)/status") == "reverted\n"
            }
            #expect(restored)
            #expect(router.installedPackages() == before)
            #expect(router.read("/etc/config/firewall") == firewall)
            // Installed before the cut (the log says so), removed by the watchdog's restore.
            #expect(
                router.read("/etc/wrtform/runs/\(runID)/actions.undone") == "i kmod-ip6-tunnel - mape\ni map - mape\n")
        }
    }
}
