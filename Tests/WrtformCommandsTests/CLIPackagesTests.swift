import Foundation
import Testing
import VirtualRouter

/// The WireGuard sample (packages, a service, keys from the environment) through the CLI, against
/// virtual routers with opkg and with apk.
@Suite struct CLIPackagesTests {
    static let privateKey = "wG-Pr1vate-'$(reboot)-key="
    static let presharedKey = "wG-Psk-`id`-key="

    static var playbook: String { CLI.repository.appendingPathComponent("Playbooks/wireguard-server.yml").path }

    static func network(_ router: VirtualRouter) -> String {
        (try? String(contentsOf: router.root.appendingPathComponent("etc/config/network"), encoding: .utf8)) ?? ""
    }

    static func environment(_ state: URL) -> [String: String] {
        var environment = CLI.environment(state: state)
        environment["WRTFORM_WG_PRIVATE_KEY"] = privateKey
        environment["WRTFORM_WG_PRESHARED_KEY"] = presharedKey
        return environment
    }

    @Test(arguments: PackageManagerKind.allCases)
    func wireguardSample(_ manager: PackageManagerKind) async throws {
        let state = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: state) }
        var options = VirtualRouter.Options()
        options.packageManager = manager
        try await withVirtualRouter(options) { router in
            let target = CLI.target(router)
            let environment = Self.environment(state)
            var outputs: [String] = []

            let plan = await CLI.run(["plan", Self.playbook] + target, environment: environment)
            outputs.append(plan.all)
            #expect(plan.code == 2, "\(plan.all)")
            #expect(plan.stdout.contains("+ wireguard-packages (package): create"))
            #expect(
                plan.stdout.contains("    + package wireguard-tools: install\n    + package kmod-wireguard: install"))
            #expect(plan.stdout.contains("= ntp (service): no-op"))
            #expect(plan.stdout.contains("option private_key '(secret)'"))

            let doctorBefore = await CLI.run(["doctor", Self.playbook] + target, environment: environment)
            #expect(doctorBefore.code == 1)
            #expect(doctorBefore.stdout.contains("FAIL package wireguard-tools is installed: missing"))

            let apply = await CLI.run(["apply", Self.playbook, "--yes"] + target, environment: environment)
            outputs.append(apply.all)
            #expect(apply.code == 0, "\(apply.all)")
            #expect(apply.stdout.contains(": 3 file(s) written, 2 package(s) installed, reloaded network, firewall."))
            #expect(router.installedPackages().contains("wireguard-tools"))
            #expect(router.installedPackages().contains("kmod-wireguard"))
            #expect(Self.network(router).contains("config interface 'wg0'"))

            let again = await CLI.run(["plan", Self.playbook] + target, environment: environment)
            #expect(again.code == 0, "\(again.all)")
            #expect(again.stdout.contains("No changes: the router matches the playbook."))

            let doctor = await CLI.run(["doctor", Self.playbook] + target, environment: environment)
            outputs.append(doctor.all)
            #expect(doctor.code == 0, "\(doctor.all)")
            #expect(
                doctor.stdout.contains(
                    "OK   package wireguard-tools is installed: \(manager.rawValue): 1.0.20210914-r4"))

            let facts = await CLI.run(["facts"] + target, environment: environment)
            let version = manager == .opkg ? "opkg 2024.10.16~38eccbb1-r1" : "apk 3.0.0_pre20250120-r1"
            #expect(facts.stdout.contains("packages:  \(version) ("), "\(facts.stdout)")

            let dryRun = await CLI.run(["rollback", "--dry-run"] + target, environment: environment)
            outputs.append(dryRun.all)
            #expect(
                dryRun.stdout.contains("- package wireguard-tools: remove (the run installed it)"), "\(dryRun.stdout)")
            let rollback = await CLI.run(["rollback", "--yes"] + target, environment: environment)
            outputs.append(rollback.all)
            #expect(rollback.code == 0, "\(rollback.all)")
            #expect(!router.installedPackages().contains("wireguard-tools"))
            #expect(!router.installedPackages().contains("kmod-wireguard"))
            #expect(!Self.network(router).contains("wg0"))

            for output in outputs {
                #expect(!output.contains(Self.privateKey))
                #expect(!output.contains(Self.presharedKey))
            }
            let commands = try router.commandLog().joined(separator: "\n")
            #expect(!commands.contains(Self.privateKey))
        }
    }

    @Test func jsonPlanNamesPackagesAndServices() async throws {
        let state = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: state) }
        var options = VirtualRouter.Options()
        options.packageManager = .opkg
        try await withVirtualRouter(options) { router in
            let stopped = try router.runInSandbox("/etc/init.d/sysntpd stop")
            #expect(stopped.exitCode == 0)
            let plan = await CLI.run(
                ["plan", Self.playbook, "--json"] + CLI.target(router), environment: Self.environment(state))
            #expect(plan.code == 2)
            #expect(plan.stdout.contains("\"package\" : \"wireguard-tools\""), "\(plan.stdout)")
            #expect(plan.stdout.contains("\"service\" : \"sysntpd\""))
            #expect(plan.stdout.contains("\"verb\" : \"start\""))
        }
    }

    @Test func aDirectoryCannotInstallPackages() async throws {
        let state = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: state) }
        let root = state.appendingPathComponent("root")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: CLI.repository.appendingPathComponent("Fixtures/routers/openwrt-24.10/etc"),
            to: root.appendingPathComponent("etc"))
        let plan = await CLI.run(
            ["plan", Self.playbook, "--root", root.path], environment: Self.environment(state))
        #expect(plan.code == 1)
        #expect(
            plan.stderr.contains(
                "package step 'wireguard-packages': packages are installed on a running router, over SSH"),
            "\(plan.stderr)")
    }
}
