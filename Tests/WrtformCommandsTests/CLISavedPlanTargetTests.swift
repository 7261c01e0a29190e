import Foundation
import Testing
import VirtualRouter
import WrtformEngine

/// Where `plan --out FILE` may write, and which host a saved plan's entry is for.
@Suite struct CLISavedPlanTargetTests {
    static var portForward: String { CLI.repository.appendingPathComponent("Playbooks/port-forward.yml").path }

    /// A directory standing in for a router, with the zones the port-forward playbook names.
    static func root() throws -> URL {
        let root = try CLI.temporaryDirectory()
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("etc/config"), withIntermediateDirectories: true)
        try "\nconfig zone\n\toption name 'wan'\n\nconfig zone\n\toption name 'lan'\n".write(
            to: root.appendingPathComponent("etc/config/firewall"), atomically: true, encoding: .utf8)
        return root
    }

    /// Under an inventory the entry is named by the inventory's host name however the host was
    /// selected (a group or glob that selects only it, or an inventory of one host): `fleet … apply
    /// --plan` and `apply --plan … --limit HOST` look it up by that name.
    @Test func anInventoryHostsEntryIsNamedByTheHostsName() async throws {
        let state = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: state) }
        try await withVirtualRouter { router in
            let inventory = try CLIFleetTests.inventory([router])
            let environment = CLI.environment(state: state)
            for (name, selection) in [
                ("group", ["--limit", "all_routers"]), ("glob", ["--limit", "r*"]), ("none", []),
            ] {
                let out = state.appendingPathComponent("\(name).plan").path
                let plan = await CLI.run(
                    ["plan", Self.portForward, "--inventory", inventory, "--out", out] + selection,
                    environment: environment)
                #expect(plan.code == 2, "\(plan.all)")
                let document =
                    try JSONSerialization.jsonObject(with: try Data(contentsOf: URL(fileURLWithPath: out)))
                    as? [String: Any]
                let hosts = (document?["hosts"] as? [[String: Any]])?.compactMap { $0["host"] as? String }
                #expect(hosts == ["r0"], "\(name): \(hosts ?? [])")
            }
            // Applied as one host of the inventory, by its name.
            let single = await CLI.run(
                [
                    "apply", "--plan", state.appendingPathComponent("none.plan").path, "--yes", "--inventory",
                    inventory, "--limit", "r0", "--no-watchdog",
                ], environment: environment)
            #expect(single.code == 0, "\(single.all)")
            #expect(single.stdout.contains("Applied run "), "\(single.all)")
            // Made again on the changed router through a group, applied by the fleet.
            let out = state.appendingPathComponent("again.plan").path
            let plan = await CLI.run(
                [
                    "plan", Self.portForward, "--inventory", inventory, "--limit", "all_routers", "--out", out,
                    "--var", "server_port=81",
                ], environment: environment)
            #expect(plan.code == 2, "\(plan.all)")
            let fleet = await CLI.run(
                ["fleet", "--inventory", inventory, "apply", "--plan", out, "--yes", "--no-watchdog"],
                environment: environment)
            #expect(fleet.code == 0, "\(fleet.all)")
            #expect(fleet.stdout.contains("r0    applied run "), "\(fleet.all)")
        }
    }

    /// A `--out` that cannot be a saved plan is refused before the router is read, in one line, and
    /// a file that is not a saved plan (the playbook itself, say) is never overwritten.
    @Test func aBadOutPathIsRefusedBeforeConnecting() async throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let playbook = directory.appendingPathComponent("site.yml")
        try FileManager.default.copyItem(at: URL(fileURLWithPath: Self.portForward), to: playbook)
        let original = try Data(contentsOf: playbook)
        // Nothing listens there: a command that connected first would fail with a connection error.
        let nowhere = ["--host", "127.0.0.1", "--port", "1", "--connect-timeout", "2"]
        let cases: [(String, String)] = [
            (directory.path, "is a directory"),
            (directory.path + "/", "is a directory"),
            (directory.appendingPathComponent("missing/x.plan").path, "does not exist"),
            (playbook.path, "is not a wrtform saved plan"),
            ("", "needs a file name"),
        ]
        for (out, reason) in cases {
            let plan = await CLI.run(["plan", playbook.path, "--out", out] + nowhere)
            #expect(plan.code == 1, "\(out): \(plan.all)")
            #expect(plan.stderr.contains(reason), "\(out): \(plan.stderr)")
            #expect(plan.stderr.split(separator: "\n").count == 1, "\(plan.stderr)")
            #expect(!plan.all.contains("connect"), "\(out): refused before connecting: \(plan.all)")
            #expect(plan.stdout.isEmpty)
        }
        #expect(try Data(contentsOf: playbook) == original, "the playbook was not overwritten")
        let json = await CLI.run(["plan", playbook.path, "--out", directory.path, "--json"] + nowhere)
        #expect(json.code == 1)
        let document = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(((document?["error"] as? [String: Any])?["message"] as? String)?.contains("is a directory") == true)

        // An empty file (from mktemp) and an earlier saved plan are replaced.
        let root = try Self.root()
        defer { try? FileManager.default.removeItem(at: root) }
        let out = directory.appendingPathComponent("made-by-mktemp")
        try Data().write(to: out)
        for _ in 0..<2 {
            let plan = await CLI.run(["plan", playbook.path, "--root", root.path, "--out", out.path])
            #expect(plan.code == 2, "\(plan.all)")
            #expect(try String(contentsOf: out, encoding: .utf8).contains("\"kind\" : \"wrtform-saved-plan\""))
        }
    }

    /// Under `fleet`, a bad `--out` stops before any host runs: one error (one JSON document with
    /// `--json`), exit 1.
    @Test func aFleetsBadOutPathIsRefusedBeforeAnyHostRuns() async throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let inventory = directory.appendingPathComponent("fleet.yml")
        try "hosts:\n  a: { host: 127.0.0.1, port: 1 }\n  b: { host: 127.0.0.1, port: 1 }\n".write(
            to: inventory, atomically: true, encoding: .utf8)
        let text = await CLI.run(
            ["fleet", "--inventory", inventory.path, "plan", Self.portForward, "--out", directory.path])
        #expect(text.code == 1, "\(text.all)")
        #expect(text.stderr.hasPrefix("error: --out \(directory.path) is a directory"), "\(text.stderr)")
        #expect(!text.all.contains("── a ──"), "no host ran: \(text.all)")
        let json = await CLI.run(
            ["fleet", "--inventory", inventory.path, "plan", Self.portForward, "--out", directory.path, "--json"])
        #expect(json.code == 1, "\(json.all)")
        let document = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(((document?["error"] as? [String: Any])?["message"] as? String)?.contains("is a directory") == true)
        #expect(document?["hosts"] == nil, "\(json.stdout)")
    }
}
