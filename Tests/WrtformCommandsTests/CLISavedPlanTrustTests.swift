import Foundation
import Testing
import VirtualRouter
import WrtformEngine

/// A saved plan is applied only as it was reviewed: the whole file is authenticated with the plan
/// key, the key must be strong and kept private, and an entry is found by its router too.
@Suite struct CLISavedPlanTrustTests {
    static var portForward: String { CLISavedPlanTargetTests.portForward }

    static func firewall(_ router: VirtualRouter) throws -> Data {
        try Data(contentsOf: router.root.appendingPathComponent("etc/config/firewall"))
    }

    /// The plan file rewritten as someone without the key would: other `--var`s, the firewall's new
    /// bytes to match, and their sha256 seal made again — all consistent, nothing secret needed.
    static func forged(_ path: String, to forgery: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard var document = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            var playbook = document["playbook"] as? [String: Any],
            var hosts = document["hosts"] as? [[String: Any]], var files = hosts.first?["files"] as? [[String: Any]],
            let index = files.firstIndex(where: { $0["path"] as? String == "/etc/config/firewall" }),
            let content = files[index]["content"] as? String
        else {
            Issue.record("not the plan expected: \(String(decoding: data, as: UTF8.self))")
            return
        }
        playbook["vars"] = ["server_port=82"]
        document["playbook"] = playbook
        let edited = content.replacingOccurrences(of: "option dest_port '81'", with: "option dest_port '82'")
        #expect(edited != content)
        files[index]["content"] = edited
        files[index]["new"] = "sha256:" + SHA256.hex(Array(edited.utf8))
        hosts[0]["files"] = files
        document["hosts"] = hosts
        try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])
            .write(to: URL(fileURLWithPath: forgery))
    }

    @Test func anEditedPlanOrAnotherKeyIsRefused() async throws {
        let state = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: state) }
        let elsewhere = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: elsewhere) }
        let out = state.appendingPathComponent("pf.plan").path
        try await withVirtualRouter { router in
            let target = CLI.target(router) + ["--no-watchdog"]
            let environment = CLI.environment(state: state)
            let plan = await CLI.run(
                ["plan", Self.portForward, "--var", "server_port=81", "--out", out] + CLI.target(router),
                environment: environment)
            #expect(plan.code == 2, "\(plan.all)")
            let before = try Self.firewall(router)
            let edited = "was edited or made with another plan key: make the plan again, or set WRTFORM_PLAN_KEY"

            // Vars, new bytes and seal changed together: consistent, but not what was reviewed.
            let forgery = state.appendingPathComponent("forged.plan").path
            try Self.forged(out, to: forgery)
            let forged = await CLI.run(["apply", "--plan", forgery, "--yes"] + target, environment: environment)
            #expect(forged.code == 1, "\(forged.all)")
            #expect(forged.stderr.contains(edited), "\(forged.stderr)")
            #expect(forged.stderr.split(separator: "\n").count == 1, "\(forged.stderr)")
            // Even a word of the summary someone reviewed.
            let text = try String(contentsOfFile: out, encoding: .utf8)
            let reworded = state.appendingPathComponent("reworded.plan").path
            try text.replacingOccurrences(of: "to add", with: "to ad").write(
                toFile: reworded, atomically: true, encoding: .utf8)
            #expect(try String(contentsOfFile: reworded, encoding: .utf8) != text)
            let cosmetic = await CLI.run(["apply", "--plan", reworded, "--yes"] + target, environment: environment)
            #expect(cosmetic.stderr.contains(edited), "\(cosmetic.all)")

            // Another machine: no key at all, another key, then the key the plan was made with.
            let away = CLI.environment(state: elsewhere)
            let keyless = await CLI.run(["apply", "--plan", out, "--yes"] + target, environment: away)
            #expect(keyless.code == 1, "\(keyless.all)")
            #expect(keyless.stderr.contains("no plan key"), "\(keyless.stderr)")
            #expect(keyless.stderr.split(separator: "\n").count == 1, "\(keyless.stderr)")
            var other = away
            other["WRTFORM_PLAN_KEY"] = SHA256.hex(Array("another machine".utf8))
            let wrongKey = await CLI.run(["apply", "--plan", out, "--yes"] + target, environment: other)
            #expect(wrongKey.stderr.contains(edited), "\(wrongKey.all)")
            #expect(try Self.firewall(router) == before, "nothing was written")
            #expect(try router.serviceCalls().isEmpty)

            let key = try String(contentsOfFile: state.appendingPathComponent("wrtform/plan.key").path, encoding: .utf8)
            var carried = away
            carried["WRTFORM_PLAN_KEY"] = key.trimmingCharacters(in: .whitespacesAndNewlines)
            let apply = await CLI.run(["apply", "--plan", out, "--yes"] + target, environment: carried)
            #expect(apply.code == 0, "\(apply.all)")
            #expect(String(decoding: try Self.firewall(router), as: UTF8.self).contains("option dest_port '81'"))
        }
    }

    /// A weak WRTFORM_PLAN_KEY, or a key file others may read, is refused before the router is read.
    @Test func aWeakOrExposedKeyIsRefused() async throws {
        let state = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: state) }
        let out = state.appendingPathComponent("pf.plan").path
        let nowhere = ["--host", "127.0.0.1", "--port", "1", "--connect-timeout", "2"]
        for weak in ["correct horse battery staple", "0123456789abcdef0123456789abcdef", "c2hvcnQ="] {
            var environment = CLI.environment(state: state)
            environment["WRTFORM_PLAN_KEY"] = weak
            let plan = await CLI.run(["plan", Self.portForward, "--out", out] + nowhere, environment: environment)
            #expect(plan.code == 1, "\(weak): \(plan.all)")
            #expect(plan.stderr.contains("WRTFORM_PLAN_KEY"), "\(plan.stderr)")
            #expect(plan.stderr.contains("openssl rand -hex 32"), "\(plan.stderr)")
            #expect(!plan.all.contains(weak), "the key is not echoed")
            #expect(!plan.all.contains("connect"), "refused before connecting: \(plan.all)")
            #expect(plan.stderr.split(separator: "\n").count == 1, "\(plan.stderr)")
        }

        // Strong keys: 64 hex digits, or base64 of 32 bytes.
        let root = try CLISavedPlanTargetTests.root()
        defer { try? FileManager.default.removeItem(at: root) }
        let base64 = Data((0..<32).map { UInt8($0 * 7 + 3) }).base64EncodedString()
        for (index, strong) in [SHA256.hex(Array("strong".utf8)), base64].enumerated() {
            var environment = CLI.environment(state: state)
            environment["WRTFORM_PLAN_KEY"] = strong
            let plan = await CLI.run(
                ["plan", Self.portForward, "--root", root.path, "--var", "server_port=\(90 + index)", "--out", out],
                environment: environment)
            #expect(plan.code == 2, "\(plan.all)")
            let apply = await CLI.run(
                ["apply", "--plan", out, "--root", root.path, "--yes"], environment: environment)
            #expect(apply.code == 0, "\(apply.all)")
        }

        // The key file made on first use is 0600; one that others may read is refused, as ssh does.
        let environment = CLI.environment(state: state)
        let first = await CLI.run(
            ["plan", Self.portForward, "--root", root.path, "--out", out], environment: environment)
        #expect(first.code == 2, "\(first.all)")
        let keyFile = state.appendingPathComponent("wrtform/plan.key").path
        #expect(try FileManager.default.attributesOfItem(atPath: keyFile)[.posixPermissions] as? Int == 0o600)
        chmod(keyFile, 0o644)
        let exposed = await CLI.run(["plan", Self.portForward, "--out", out] + nowhere, environment: environment)
        #expect(exposed.code == 1, "\(exposed.all)")
        #expect(exposed.stderr.contains("\(keyFile) may be read by others"), "\(exposed.stderr)")
        #expect(exposed.stderr.contains("chmod 600 \(keyFile)"), "\(exposed.stderr)")
        #expect(exposed.stderr.split(separator: "\n").count == 1, "\(exposed.stderr)")
        #expect(!exposed.all.contains("connect"), "\(exposed.all)")
        let applied = await CLI.run(
            ["apply", "--plan", out, "--root", root.path, "--yes"], environment: environment)
        #expect(applied.code == 1)
        #expect(applied.stderr.contains("may be read by others"), "\(applied.stderr)")
        chmod(keyFile, 0o600)
        let again = await CLI.run(
            ["plan", Self.portForward, "--root", root.path, "--out", out], environment: environment)
        #expect(again.code == 2, "\(again.all)")
    }

    /// A plan made with `--host` applies through an inventory entry for the same router; the fleet's
    /// JSON names the file `fleet … plan --out` wrote.
    @Test func aPlanMadeWithHostAppliesThroughTheInventory() async throws {
        let state = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: state) }
        try await withVirtualRouter { router in
            let inventory = state.appendingPathComponent("fleet.yml")
            try """
            hosts:
              gw:
                host: \(router.host)
                port: \(router.port)
                identity: \(router.clientKeyFile)
                known_hosts: \(router.knownHostsFile)
              spare: { host: 127.0.0.1, port: 1 }

            """.write(to: inventory, atomically: true, encoding: .utf8)
            let environment = CLI.environment(state: state)
            let out = state.appendingPathComponent("pf.plan").path
            let plan = await CLI.run(
                ["plan", Self.portForward, "--out", out] + CLI.target(router), environment: environment)
            #expect(plan.code == 2, "\(plan.all)")
            // Not this router: the entry's name and target both differ.
            let spare = await CLI.run(
                ["apply", "--plan", out, "--yes", "--inventory", inventory.path, "--limit", "spare"],
                environment: environment)
            #expect(spare.code == 1)
            #expect(spare.stderr.contains("holds no plan for host spare"), "\(spare.stderr)")
            let apply = await CLI.run(
                ["apply", "--plan", out, "--yes", "--no-watchdog", "--inventory", inventory.path, "--limit", "gw"],
                environment: environment)
            #expect(apply.code == 0, "\(apply.all)")
            #expect(apply.stdout.contains("Applied run "), "\(apply.all)")

            let fleetOut = state.appendingPathComponent("fleet.plan").path
            let fleet = await CLI.run(
                [
                    "fleet", "--inventory", inventory.path, "--limit", "gw", "plan", Self.portForward, "--var",
                    "server_port=81", "--out", fleetOut, "--json",
                ], environment: environment)
            #expect(fleet.code == 2, "\(fleet.all)")
            let document = try JSONSerialization.jsonObject(with: Data(fleet.stdout.utf8)) as? [String: Any]
            #expect(document?["saved_plan"] as? String == fleetOut, "\(fleet.stdout)")
            let none = await CLI.run(
                ["fleet", "--inventory", inventory.path, "--limit", "gw", "plan", Self.portForward, "--json"],
                environment: environment)
            let plain = try JSONSerialization.jsonObject(with: Data(none.stdout.utf8)) as? [String: Any]
            #expect(plain?["saved_plan"] == nil)
            #expect(plain?["hosts"] != nil, "\(none.stdout)")
        }
    }
}
