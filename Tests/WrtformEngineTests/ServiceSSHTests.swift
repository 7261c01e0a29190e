import Foundation
import Testing
import VirtualRouter
import WrtformEngine

/// Service steps end to end through real SSH: enable/disable and start/stop, read from /etc/rc.d
/// and `/etc/init.d/NAME running` in the plan's one snapshot, undone by rollback.
@Suite struct ServiceSSHTests {
    static func graph(_ steps: [any Step]) throws -> StepGraph {
        try StepGraph(steps.map { StepGraph.Node(step: $0) })
    }

    @Test func disableStopAndRollBack() async throws {
        try await withVirtualRouter(PackageSSHTests.router(.opkg)) { router in
            #expect(router.exists("/etc/rc.d/S98sysntpd"))
            let graph = try Self.graph([
                try StepBuilder.step("ntp", "service", ["name": "sysntpd", "enabled": "false", "running": "false"])
            ])
            let target = router.sshTarget()
            let plan = try await PackageSSHTests.plan(graph, target)
            #expect(await target.roundTrips() == 1)
            #expect(plan.steps.first?.summary == ["~ service sysntpd: disable", "~ service sysntpd: stop"])
            let result = try await Applier(options: PackageSSHTests.options()).apply(plan, to: target)
            #expect(result.status == .done)
            #expect(!router.exists("/etc/rc.d/S98sysntpd"))
            #expect(!router.exists("/var/run/vr-service-sysntpd"))
            let calls = try router.serviceCalls().filter { $0.service == "sysntpd" }.map(\.arguments)
            #expect(calls.contains(["disable"]) && calls.contains(["stop"]))

            let again = router.sshTarget()
            let second = try await PackageSSHTests.plan(graph, again)
            #expect(!second.hasChanges)
            #expect(await again.roundTrips() == 1)

            let (undo, _) = try await PackageSSHTests.rollback(target)
            #expect(
                undo.commands == [.service(name: "sysntpd", verb: .start), .service(name: "sysntpd", verb: .enable)])
            #expect(router.exists("/etc/rc.d/S98sysntpd"))
            #expect(router.exists("/var/run/vr-service-sysntpd"))
            await target.close()
            await again.close()
        }
    }

    @Test(arguments: PackageManagerKind.allCases)
    func aPackageBringsTheServiceItEnables(_ manager: PackageManagerKind) async throws {
        try await withVirtualRouter(PackageSSHTests.router(manager)) { router in
            let graph = try Self.graph([
                try StepBuilder.step("ddns-pkg", "package", ["name": "ddns-scripts"]),
                try StepBuilder.step("ddns", "service", ["name": "ddns", "enabled": "true", "running": "true"]),
            ])
            let target = router.sshTarget()
            let plan = try await PackageSSHTests.plan(graph, target)
            #expect(
                plan.steps.map(\.summary) == [
                    ["+ package ddns-scripts: install"], ["~ service ddns: enable", "~ service ddns: start"],
                ])
            _ = try await Applier(options: PackageSSHTests.options()).apply(plan, to: target)
            #expect(router.exists("/etc/rc.d/S95ddns"))
            #expect(router.exists("/var/run/vr-service-ddns"))
            #expect(!(try await PackageSSHTests.plan(graph, router.sshTarget())).hasChanges)

            _ = try await PackageSSHTests.rollback(target)
            #expect(!router.exists("/etc/rc.d/S95ddns"))
            #expect(!router.exists("/etc/init.d/ddns"))
            #expect(!router.installedPackages().contains("ddns-scripts"))
            await target.close()
        }
    }

    /// A package's init script is enabled and started by its postinst (base-files' default_postinst):
    /// a step that wants it off must switch it off after the install, not plan nothing because the
    /// script was not there yet.
    @Test(arguments: PackageManagerKind.allCases)
    func aPackageBringsTheServiceItKeepsOff(_ manager: PackageManagerKind) async throws {
        try await withVirtualRouter(PackageSSHTests.router(manager)) { router in
            let graph = try Self.graph([
                try StepBuilder.step("ddns-pkg", "package", ["name": "ddns-scripts"]),
                try StepBuilder.step("ddns", "service", ["name": "ddns", "enabled": "false", "running": "false"]),
            ])
            let target = router.sshTarget()
            let plan = try await PackageSSHTests.plan(graph, target)
            #expect(
                plan.steps.map(\.summary) == [
                    ["+ package ddns-scripts: install"], ["~ service ddns: disable", "~ service ddns: stop"],
                ])
            _ = try await Applier(options: PackageSSHTests.options()).apply(plan, to: target)
            #expect(router.exists("/etc/init.d/ddns"))
            #expect(!router.exists("/etc/rc.d/S95ddns"))
            #expect(!router.exists("/var/run/vr-service-ddns"))
            #expect(!(try await PackageSSHTests.plan(graph, router.sshTarget())).hasChanges)

            _ = try await PackageSSHTests.rollback(target)
            #expect(!router.exists("/etc/init.d/ddns"))
            #expect(!router.exists("/etc/rc.d/S95ddns"))
            #expect(!router.exists("/var/run/vr-service-ddns"))
            #expect(!router.installedPackages().contains("ddns-scripts"))
            await target.close()
        }
    }

    /// Services need no package manager: a router without opkg or apk switches them all the same.
    @Test func aRouterWithoutAPackageManagerSwitchesServices() async throws {
        try await withVirtualRouter { router in
            let script = """
                cat > /etc/init.d/demo <<'END'
                #!/bin/sh
                case "$1" in
                enable) mkdir -p /etc/rc.d && ln -sf ../init.d/demo /etc/rc.d/S50demo ;;
                disable) rm -f /etc/rc.d/S??demo ;;
                *) exit 1 ;;
                esac
                END
                chmod 755 /etc/init.d/demo
                """
            let made = try router.runInSandbox(script)
            #expect(made.exitCode == 0, "\(made.output)")
            let graph = try Self.graph([try StepBuilder.step("demo", "service", ["name": "demo", "enabled": "true"])])
            let target = router.sshTarget()
            let plan = try await PackageSSHTests.plan(graph, target)
            #expect(plan.snapshot.facts.packageManager == "none")
            #expect(plan.commands == [.service(name: "demo", verb: .enable)])
            _ = try await Applier(options: PackageSSHTests.options()).apply(plan, to: target)
            #expect(router.exists("/etc/rc.d/S50demo"))
            _ = try await PackageSSHTests.rollback(target)
            #expect(!router.exists("/etc/rc.d/S50demo"))
            await target.close()
        }
    }

    /// A script that is not procd's has no `running`: rc.common prints its help and exits 0. That is
    /// no answer — read as "running", a `running: true` step never started it and a rollback of a
    /// `running: false` one started what may never have run.
    @Test func aScriptWithoutRunningIsNotGuessed() async throws {
        try await withVirtualRouter(PackageSSHTests.router(.opkg)) { router in
            let script = """
                cat > /etc/init.d/legacy <<'END'
                #!/bin/sh
                case "$1" in
                enable) mkdir -p /etc/rc.d && ln -sf ../init.d/legacy /etc/rc.d/S50legacy ;;
                disable) rm -f /etc/rc.d/S??legacy ;;
                start) : > /var/run/legacy ;;
                stop) rm -f /var/run/legacy ;;
                *) printf 'Syntax: /etc/init.d/legacy [command]\n\nAvailable commands:\n' ;;
                esac
                END
                chmod 755 /etc/init.d/legacy
                """
            let made = try router.runInSandbox(script)
            #expect(made.exitCode == 0, "\(made.output)")
            let target = router.sshTarget()
            let running = try Self.graph([
                try StepBuilder.step("legacy", "service", ["name": "legacy", "enabled": "true", "running": "true"])
            ])
            let error = await #expect(throws: EngineError.self) { try await PackageSSHTests.plan(running, target) }
            #expect(
                error?.message
                    == "service step 'legacy': /etc/init.d/legacy is not a procd script (it has no 'running' command), so whether it runs cannot be read"
            )
            // Enabling needs no answer from `running`.
            let enabled = try Self.graph([
                try StepBuilder.step("legacy", "service", ["name": "legacy", "enabled": "true"])
            ])
            let plan = try await PackageSSHTests.plan(enabled, target)
            #expect(plan.commands == [.service(name: "legacy", verb: .enable)])
            await target.close()
        }
    }

    @Test func aMissingServiceIsAPlanError() async throws {
        try await withVirtualRouter(PackageSSHTests.router(.opkg)) { router in
            let graph = try Self.graph([
                try StepBuilder.step("x", "service", ["name": "no-such-service", "enabled": "true"])
            ])
            let target = router.sshTarget()
            let error = await #expect(throws: EngineError.self) { try await PackageSSHTests.plan(graph, target) }
            #expect(error?.message == "service step 'x': the router has no /etc/init.d/no-such-service")
            await target.close()
        }
    }

    @Test func aFailingServiceCommandRestoresTheRun() async throws {
        try await withVirtualRouter(PackageSSHTests.router(.opkg)) { router in
            let graph = try Self.graph([
                try StepBuilder.step("marker", "file", ["path": "/etc/wrtform-marker", "content": "x\n"]),
                try StepBuilder.step("ntp-off", "service", ["name": "sysntpd", "enabled": "false"]),
                try StepBuilder.step("ntp-stop", "service", ["name": "sysntpd", "running": "false"]),
            ])
            // The stop fails (after the disable went through): the disable is undone too.
            try Data("[ \"$1\" = stop ] && { echo 'stop failed' >&2; exit 3; }\n".utf8).write(
                to: router.recordDirectory.appendingPathComponent("behavior/sysntpd"))
            let target = router.sshTarget()
            let plan = try await PackageSSHTests.plan(graph, target)
            let error = await #expect(throws: EngineError.self) {
                try await Applier(options: PackageSSHTests.options()).apply(plan, to: target)
            }
            #expect(error?.message.hasPrefix("/etc/init.d/sysntpd stop failed") == true, "\(error?.message ?? "")")
            #expect(router.exists("/etc/rc.d/S98sysntpd"))
            #expect(!router.exists("/etc/wrtform-marker"))
            await target.close()
        }
    }
}
