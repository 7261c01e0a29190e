import Foundation
import Testing
import VirtualRouter

/// A saved plan holds the packages it installs, not only files: applied exactly, and refused when
/// what is installed changed between the plan and the apply.
@Suite struct CLISavedPlanPackagesTests {
    @Test func packagesAreAppliedExactlyOrRefused() async throws {
        let state = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: state) }
        var options = VirtualRouter.Options()
        options.packageManager = .opkg
        try await withVirtualRouter(options) { router in
            let target = CLI.target(router)
            let environment = CLIPackagesTests.environment(state)
            let out = state.appendingPathComponent("wg.plan").path

            let plan = await CLI.run(
                ["plan", CLIPackagesTests.playbook, "--out", out] + target, environment: environment)
            #expect(plan.code == 2, "\(plan.all)")
            let text = try String(contentsOfFile: out, encoding: .utf8)
            #expect(text.contains("install wireguard-tools"), "\(text)")
            #expect(!text.contains(CLIPackagesTests.privateKey))

            // Installed by hand in between: the saved plan no longer says what the run would do.
            let installed = try router.runInSandbox("opkg update && opkg install wireguard-tools")
            #expect(installed.exitCode == 0, "\(installed.output)")
            let network = CLIPackagesTests.network(router)
            let refused = await CLI.run(["apply", "--plan", out, "--yes"] + target, environment: environment)
            #expect(refused.code == 1, "\(refused.all)")
            #expect(refused.stderr.contains("no longer plans what the saved plan holds"), "\(refused.stderr)")
            #expect(CLIPackagesTests.network(router) == network, "nothing was written")

            // Put back as planned: the saved plan applies, packages included.
            let removed = try router.runInSandbox("opkg remove wireguard-tools kmod-wireguard")
            #expect(removed.exitCode == 0, "\(removed.output)")
            let apply = await CLI.run(["apply", "--plan", out, "--yes"] + target, environment: environment)
            #expect(apply.code == 0, "\(apply.all)")
            #expect(router.installedPackages().contains("wireguard-tools"))
            #expect(router.installedPackages().contains("kmod-wireguard"))
        }
    }
}
