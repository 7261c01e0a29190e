import Testing
import VirtualRouter

/// The README's package walk-through starts `virtual-router --packages opkg` by hand: the option must reach
/// `Options.packageManager`, and a wrong value must be refused rather than taken as a fixture name.
@Suite struct VirtualRouterArgumentsTests {
    @Test func packagesOptionSelectsTheManager() throws {
        #expect(
            try VirtualRouterArguments.parse(["--packages", "opkg"])
                == .start(fixture: "openwrt-24.10", packageManager: .opkg))
        #expect(
            try VirtualRouterArguments.parse(["ocn-mape", "--packages=apk"])
                == .start(fixture: "ocn-mape", packageManager: .apk))
        #expect(try VirtualRouterArguments.parse([]) == .start(fixture: "openwrt-24.10", packageManager: nil))
        #expect(try VirtualRouterArguments.parse(["demo"]) == .demo(playbook: nil))
        #expect(try VirtualRouterArguments.parse(["--help"]) == .help)
        #expect(VirtualRouterArguments.usage.contains("--packages opkg|apk"))
    }

    @Test func badArgumentsAreOneLine() {
        for arguments in [["--packages", "yum"], ["--packages"], ["a", "b"], ["--frobnicate"]] {
            #expect(throws: VirtualRouterError.self) { try VirtualRouterArguments.parse(arguments) }
        }
        do {
            _ = try VirtualRouterArguments.parse(["--packages", "yum"])
        } catch {
            #expect("\(error)" == "virtual router: --packages takes opkg or apk (got: yum)")
        }
    }
}
