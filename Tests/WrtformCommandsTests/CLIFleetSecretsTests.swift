import Foundation
import Testing
import VirtualRouter

/// Per-host secret sources in the inventory, and `--inventory FILE` alone on plan/apply meaning every host.
@Suite struct CLIFleetSecretsTests {
    static let secrets = ["r0": "Pp-S3cr3t-r0-alpha", "r1": "Pp-S3cr3t-r1-bravo"]

    @Test func eachRouterGetsItsOwnSecretAndTheInventoryAloneMeansEveryHost() async throws {
        async let first = VirtualRouter.start(.init())
        async let second = VirtualRouter.start(.init())
        let routers = try await [first, second]
        defer { for router in routers { router.stop() } }
        let base = try CLIFleetTests.inventory(routers)
        // r0 names its variable on the host; r1 through its group (a host entry would win over it).
        var text = try String(contentsOfFile: base, encoding: .utf8)
        text = text.replacingOccurrences(
            of: "  all_routers: { hosts: [r0, r1] }",
            with:
                "  all_routers: { hosts: [r0, r1] }\n  second: { hosts: [r1], secrets: { pppoe_password: { env: R1_PPPOE } } }"
        )
        text = text.replacingOccurrences(
            of: "    vars: { server_ip: 192.168.1.100 }",
            with: "    vars: { server_ip: 192.168.1.100 }\n    secrets: { pppoe_password: { env: R0_PPPOE } }")
        try text.write(toFile: base, atomically: true, encoding: .utf8)
        var environment = CLI.environment()
        environment["WRTFORM_PPPOE_PASSWORD"] = nil
        environment["R0_PPPOE"] = Self.secrets["r0"]
        environment["R1_PPPOE"] = Self.secrets["r1"]

        // No --limit, several hosts: the fleet's way, which cannot ask each host's question.
        let unasked = await CLI.run(["apply", CLI.ocn, "--inventory", base], environment: environment)
        #expect(unasked.code == 1)
        #expect(unasked.stderr.contains("apply on several hosts needs --yes"), "\(unasked.all)")
        for router in routers {
            let network = try String(
                contentsOf: router.root.appendingPathComponent("etc/config/network"), encoding: .utf8)
            #expect(!network.contains("wanppp"))
        }
        let apply = await CLI.run(["apply", CLI.ocn, "--inventory", base, "--yes"], environment: environment)
        #expect(apply.code == 0, "\(apply.all)")
        #expect(apply.stdout.contains("── r0 ──") && apply.stdout.contains("── r1 ──"), "\(apply.stdout)")
        #expect(CLIFleetTests.row("r1", in: apply.stdout)?.hasPrefix("applied run ") == true, "\(apply.stdout)")
        #expect(!CLI.containsSecret(apply.all), "\(apply.all)")
        for (index, router) in routers.enumerated() {
            let network = try String(
                contentsOf: router.root.appendingPathComponent("etc/config/network"), encoding: .utf8)
            let own = try #require(Self.secrets["r\(index)"])
            let other = try #require(Self.secrets["r\(1 - index)"])
            #expect(network.contains("option password '\(own)'"), "r\(index): \(network)")
            #expect(!network.contains(other))
        }

        // One host selected (a glob): the plain command, as before.
        let one = await CLI.run(["plan", CLI.ocn, "--inventory", base, "--limit", "r1*"], environment: environment)
        #expect(one.code == 0, "\(one.all)")
        #expect(!one.stdout.contains("── r1 ──"), "\(one.stdout)")

        // The variable a host names is the one it needs; the error says where it was named, never a value.
        environment["R1_PPPOE"] = nil
        let missing = await CLI.run(["plan", CLI.ocn, "--inventory", base, "--limit", "r1"], environment: environment)
        #expect(missing.code == 1)
        #expect(
            missing.stderr.contains(
                "fleet.yml:3:37: secret 'pppoe_password' needs the environment variable R1_PPPOE, which is not set"),
            "\(missing.stderr)")
        #expect(!CLI.containsSecret(missing.all))

        // A command for one router, given several: one line naming them and the way out.
        let state = await CLI.run(["state", "--inventory", base], environment: environment)
        #expect(state.code == 1)
        #expect(
            state.stderr.contains("the inventory \(base) has 2 hosts (r0, r1); this command works on one router"),
            "\(state.stderr)")
        #expect(state.stderr.contains("wrtform fleet"))
    }

    @Test func unknownSecretNamesAreLocatedInTheInventory() async throws {
        let directory = try CLI.temporaryDirectory()
        let inventory = directory.appendingPathComponent("routers.yml")
        try """
        hosts:
          a: { host: 127.0.0.1, secrets: { pppoe_pasword: { env: A_PPPOE } } }
          b: { host: 127.0.0.2 }
        """.write(to: inventory, atomically: true, encoding: .utf8)
        // validate checks each selected host's names offline, through the fleet.
        let result = await CLI.run(["validate", CLI.ocn, "--inventory", inventory.path])
        #expect(result.code == 1, "\(result.all)")
        #expect(
            result.all.contains(
                "routers.yml:2:36: the playbook has no secret 'pppoe_pasword' (did you mean 'pppoe_password'?)"),
            "\(result.all)")
        #expect(CLIFleetTests.row("b", in: result.stdout)?.hasPrefix("ok ") == true, "\(result.stdout)")
    }
}
