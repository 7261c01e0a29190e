import Foundation
import Testing
import VirtualRouter
import WrtformEngine

/// `plan --out FILE` and `apply --plan FILE` through real SSH against the virtual router.
@Suite struct CLISavedPlanTests {
    /// Distinctive secrets: each appears nowhere but in the environment and on the router.
    static let pppoePassword = "Zq9-SECRET-ppp-77"
    static let ddnsPassword = "Zq9-SECRET-ddns-88"
    static let pppoeUser = "zq9-user-SECRET@ocn"

    static func environment(_ state: URL, pppoePassword: String = pppoePassword) -> [String: String] {
        [
            "WRTFORM_PPPOE_USERNAME": pppoeUser, "WRTFORM_PPPOE_PASSWORD": pppoePassword,
            "WRTFORM_DDNS_PASSWORD": ddnsPassword, "HOME": state.path, "USER": "tester",
            "XDG_STATE_HOME": state.path,
        ]
    }

    static func file(_ router: VirtualRouter, _ path: String) throws -> Data {
        try Data(contentsOf: router.root.appendingPathComponent(path))
    }

    static let routerFiles = ["etc/config/network", "etc/config/firewall", "etc/iproute2/rt_tables"]

    @Test func appliesExactlyThePlanAndKeepsNoSecret() async throws {
        let state = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: state) }
        let out = state.appendingPathComponent("ocn.plan").path
        try await withVirtualRouter { router in
            let target = CLI.target(router)
            let environment = Self.environment(state)
            let plan = await CLI.run(["plan", CLI.ocn, "--out", out] + target, environment: environment)
            #expect(plan.code == 2, "\(plan.all)")
            #expect(plan.stdout.contains("Saved this plan to \(out)"), "\(plan.stdout)")

            let bytes = try Data(contentsOf: URL(fileURLWithPath: out))
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(!text.contains("SECRET"), "a secret value is in the saved plan")
            #expect(!text.contains("Zq9"))
            #expect(text.contains("\"wrtform_version\""))
            #expect(text.contains("hmac:"), "files holding secrets are sealed with the key")
            #expect(text.contains("sha256:"))
            #expect(text.contains("(secret)"), "the network file is kept with its password masked")
            let mode = try FileManager.default.attributesOfItem(atPath: out)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            // Nothing was written by planning.
            #expect(try router.serviceCalls().isEmpty)

            let apply = await CLI.run(["apply", "--plan", out, "--yes"] + target, environment: environment)
            #expect(apply.code == 0, "\(apply.all)")
            #expect(apply.stdout.contains("Applied run "), "\(apply.stdout)")
            #expect(!apply.all.contains("SECRET"))
            let network = String(decoding: try Self.file(router, "etc/config/network"), as: UTF8.self)
            #expect(network.contains(Self.pppoePassword), "the secret from the environment reached the router")

            let again = await CLI.run(["plan", CLI.ocn] + target, environment: environment)
            #expect(again.code == 0, "\(again.all)")
            #expect(again.stdout.contains("No changes"), "\(again.stdout)")

            // The same plan again: the router no longer has the files it read.
            let before = try Self.routerFiles.map { try Self.file(router, $0) }
            let twice = await CLI.run(["apply", "--plan", out, "--yes"] + target, environment: environment)
            #expect(twice.code == 1)
            #expect(twice.stderr.contains("changed since the plan was made: "), "\(twice.stderr)")
            #expect(try Self.routerFiles.map { try Self.file(router, $0) } == before)
        }
    }

    @Test func routerChangedSinceThePlanIsRefused() async throws {
        let state = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: state) }
        let out = state.appendingPathComponent("ocn.plan").path
        try await withVirtualRouter { router in
            let target = CLI.target(router)
            let environment = Self.environment(state)
            let plan = await CLI.run(["plan", CLI.ocn, "--out", out, "--json"] + target, environment: environment)
            #expect(plan.code == 2, "\(plan.all)")
            // --json still prints the plan's one document.
            let document = try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any]
            #expect(document?["command"] as? String == "plan")

            // Someone edits the firewall between plan and apply (a LuCI save).
            let firewall = router.root.appendingPathComponent("etc/config/firewall")
            var edited = try Data(contentsOf: firewall)
            edited.append(Data("\nconfig zone\n\toption name 'luci'\n".utf8))
            try edited.write(to: firewall)
            let before = try Self.routerFiles.map { try Self.file(router, $0) }

            let apply = await CLI.run(["apply", "--plan", out, "--yes", "--json"] + target, environment: environment)
            #expect(apply.code == 1)
            let failure = try JSONSerialization.jsonObject(with: Data(apply.stdout.utf8)) as? [String: Any]
            let error = failure?["error"] as? [String: Any]
            #expect(
                (error?["message"] as? String)?.contains("changed since the plan was made: /etc/config/firewall")
                    == true, "\(apply.stdout)")
            #expect(try Self.routerFiles.map { try Self.file(router, $0) } == before, "nothing was written")
            #expect(try router.serviceCalls().isEmpty)
            let history = await CLI.run(["history"] + target, environment: environment)
            #expect(!history.stdout.contains("done"), "no run: \(history.stdout)")
        }
    }

    @Test func aChangedSecretPlaybookOrVersionIsRefused() async throws {
        let state = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: state) }
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // A copy of the playbook and its templates, to edit.
        try FileManager.default.copyItem(
            at: CLI.repository.appendingPathComponent("Playbooks"), to: directory.appendingPathComponent("Playbooks"))
        let playbook = directory.appendingPathComponent("Playbooks/ocn-dualstack-pppoe.yml")
        let template = directory.appendingPathComponent("Playbooks/templates/40-pppoe")
        let out = state.appendingPathComponent("ocn.plan").path
        try await withVirtualRouter { router in
            let target = CLI.target(router)
            let environment = Self.environment(state)
            let plan = await CLI.run(["plan", playbook.path, "--out", out] + target, environment: environment)
            #expect(plan.code == 2, "\(plan.all)")
            let before = try Self.routerFiles.map { try Self.file(router, $0) }

            // Another PPPoE password in the environment than the plan was made with.
            let rotated = Self.environment(state, pppoePassword: "Zq9-SECRET-ppp-other")
            let secret = await CLI.run(["apply", "--plan", out, "--yes"] + target, environment: rotated)
            #expect(secret.code == 1)
            #expect(secret.stderr.contains("no longer plans what the saved plan holds"), "\(secret.stderr)")
            #expect(!secret.all.contains("SECRET"))

            // Another machine, without the key the secret files were sealed with.
            var elsewhere = environment
            elsewhere["XDG_STATE_HOME"] = directory.path
            let keyless = await CLI.run(["apply", "--plan", out, "--yes"] + target, environment: elsewhere)
            #expect(keyless.code == 1)
            #expect(keyless.stderr.contains("no plan key on this machine"), "\(keyless.stderr)")

            // The playbook edited since.
            let original = try Data(contentsOf: playbook)
            try (original + Data("# edited\n".utf8)).write(to: playbook)
            let edited = await CLI.run(["apply", "--plan", out, "--yes"] + target, environment: environment)
            #expect(edited.code == 1)
            #expect(edited.stderr.contains("the playbook changed since the plan was made"), "\(edited.stderr)")
            try original.write(to: playbook)
            // … or one of its templates.
            let hook = try Data(contentsOf: template)
            try (hook + Data("# edited\n".utf8)).write(to: template)
            let templated = await CLI.run(["apply", "--plan", out, "--yes"] + target, environment: environment)
            #expect(templated.stderr.contains("the playbook changed since the plan was made"), "\(templated.stderr)")
            try hook.write(to: template)

            // Options that shape the plan belong to `plan --out`.
            let vars = await CLI.run(
                ["apply", "--plan", out, "--yes", "--var", "server_ip=192.168.1.9"] + target, environment: environment)
            #expect(vars.code != 0)
            #expect(vars.stderr.contains("--plan applies the plan as it was made"), "\(vars.stderr)")

            // Another wrtform version, an edited file, no file: one line each.
            let saved = try String(contentsOfFile: out, encoding: .utf8)
            let old = state.appendingPathComponent("old.plan").path
            try saved.replacingOccurrences(of: "\"wrtform_version\" : \"", with: "\"wrtform_version\" : \"0.0.0-")
                .write(toFile: old, atomically: true, encoding: .utf8)
            let version = await CLI.run(["apply", "--plan", old, "--yes"] + target, environment: environment)
            #expect(version.code == 1)
            #expect(version.stderr.contains("was made by wrtform 0.0.0-"), "\(version.stderr)")
            let damaged = state.appendingPathComponent("damaged.plan").path
            try """
            {"kind": "wrtform-saved-plan", "format": \(SavedPlan.currentFormat), "wrtform_version": "\(WrtformVersion.current)"}
            """.write(toFile: damaged, atomically: true, encoding: .utf8)
            let broken = await CLI.run(["apply", "--plan", damaged, "--yes"] + target, environment: environment)
            #expect(broken.code == 1)
            #expect(
                broken.stderr.contains("the saved plan was edited or made with another plan key"), "\(broken.stderr)")
            let other = await CLI.run(["apply", "--plan", playbook.path, "--yes"] + target, environment: environment)
            #expect(other.stderr.contains("is not a wrtform saved plan"), "\(other.stderr)")
            for result in [version, broken, other] {
                #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
            }

            #expect(try Self.routerFiles.map { try Self.file(router, $0) } == before, "nothing was written")
            #expect(try router.serviceCalls().isEmpty)

            // The untouched plan still applies.
            let apply = await CLI.run(["apply", "--plan", out, "--yes"] + target, environment: environment)
            #expect(apply.code == 0, "\(apply.all)")
        }
    }
}

/// `wrtform fleet … plan --out FILE` keeps every host's plan in one file; `fleet … apply --plan FILE`
/// applies each host's own, refusing a host whose router changed since.
@Suite struct CLIFleetSavedPlanTests {
    @Test func eachHostAppliesItsOwnPlanOrIsRefused() async throws {
        async let first = VirtualRouter.start(.init())
        async let second = VirtualRouter.start(.init())
        let routers = try await [first, second]
        defer { for router in routers { router.stop() } }
        let state = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: state) }
        let inventory = try CLIFleetTests.inventory(routers)
        let out = state.appendingPathComponent("fleet.plan").path
        let environment = CLISavedPlanTests.environment(state)

        let plan = await CLI.run(
            ["fleet", "--inventory", inventory, "plan", CLI.ocn, "--out", out], environment: environment)
        #expect(plan.code == 2, "\(plan.all)")
        #expect(plan.stderr.contains("Saved the plans of 2 host(s) to \(out)"), "\(plan.all)")
        let text = try String(contentsOfFile: out, encoding: .utf8)
        #expect(!text.contains("SECRET"))
        let document = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        let hosts = (document?["hosts"] as? [[String: Any]])?.compactMap { $0["host"] as? String }
        #expect(hosts == ["r0", "r1"])

        // r1 is edited by hand between the plan and the apply.
        let firewall = routers[1].root.appendingPathComponent("etc/config/firewall")
        try (try Data(contentsOf: firewall) + Data("\nconfig zone\n\toption name 'luci'\n".utf8)).write(to: firewall)
        let before = try CLISavedPlanTests.routerFiles.map { try CLISavedPlanTests.file(routers[1], $0) }

        let apply = await CLI.run(
            ["fleet", "--inventory", inventory, "apply", "--plan", out, "--yes"], environment: environment)
        #expect(apply.code == 1, "\(apply.all)")
        #expect(apply.stdout.contains("r0    applied run "), "\(apply.stdout)")
        #expect(apply.stdout.contains("changed since the plan was made: /etc/config/firewall"), "\(apply.stdout)")
        let applied = try String(
            contentsOf: routers[0].root.appendingPathComponent("etc/config/firewall"), encoding: .utf8)
        #expect(applied.contains("192.168.1.100"))
        #expect(
            try CLISavedPlanTests.routerFiles.map { try CLISavedPlanTests.file(routers[1], $0) } == before,
            "nothing was written on r1")
        #expect(try routers[1].serviceCalls().isEmpty)
        #expect(!apply.all.contains("SECRET"))
    }
}
