import Foundation
import VirtualRouter
import WrtformCommands

/// The README's first command: a fresh virtual router, and `wrtform plan` of a playbook against it.
enum Demo {
    static func run(playbook: String) async -> Int32 {
        let router: VirtualRouter
        do {
            router = try await VirtualRouter.start()
        } catch {
            FileHandle.standardError.write(Data("virtual-router: \(error)\n".utf8))
            return 1
        }
        defer { router.stop() }
        var console = Console.standard
        // Stand-in secrets, unless the user gave real ones: the plan masks them either way.
        for (name, value) in [
            ("WRTFORM_PPPOE_USERNAME", "demo-user@ocn"), ("WRTFORM_PPPOE_PASSWORD", "demo-pppoe-password"),
            ("WRTFORM_DDNS_PASSWORD", "demo-ddns-password"),
        ] where console.environment[name] == nil {
            console.environment[name] = value
        }
        let target = [
            "--host", router.host, "--port", String(router.port), "--identity", router.clientKeyFile, "--known-hosts",
            router.knownHostsFile,
        ]
        console.out(
            "A virtual OpenWrt 24.10 router is up on \(router.host):\(router.port). Planning \(playbook) against it:\n\n"
        )
        console.out("$ wrtform plan \(playbook) \(target.joined(separator: " "))\n\n")
        let code = await Console.$current.withValue(console) {
            await Wrtform.run(arguments: ["plan", playbook] + target)
        }
        console.out("\n(exit \(code): 0 nothing pending, 2 changes pending, 1 error; the router is stopped now.)\n")
        return code == 2 ? 0 : code
    }
}
