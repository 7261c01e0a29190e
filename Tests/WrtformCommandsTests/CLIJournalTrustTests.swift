import Foundation
import Testing
import VirtualRouter

/// What a rollback refuses: a journal edited in a tree, a run id that climbs out of the journal
/// directory, a run that was undone already. And what reaches the terminal from a router: its
/// control characters shown, never obeyed.
@Suite struct CLIJournalTrustTests {
    static func tree() throws -> URL {
        let root = try CLI.temporaryDirectory()
        try FileManager.default.removeItem(at: root)
        try FileManager.default.copyItem(
            at: CLI.repository.appendingPathComponent("Fixtures/routers/openwrt-24.10"), to: root)
        return root
    }

    static func runID(_ output: String) -> String? {
        output.firstMatch(of: /Applied run ([A-Za-z0-9_-]+):/).map { String($0.1) }
    }

    /// Every regular file in a tree, by path (journals included: a refused rollback writes none).
    static func files(_ root: URL) -> [String: Data] {
        var result: [String: Data] = [:]
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
        else { return [:] }
        for case let url as URL in walker
        where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            result[url.path] = FileManager.default.contents(atPath: url.path)
        }
        return result
    }

    @Test func rogueJournalInATreeIsRefused() async throws {
        let root = try Self.tree()
        defer { try? FileManager.default.removeItem(at: root) }
        let state = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: state) }
        let environment = CLI.environment(state: state)
        let playbook = try CLI.playbook(
            """
            steps:
              - id: hook
                file: { path: /etc/hotplug.d/iface/41-x, content: "#!/bin/sh\\n" }
            """)
        let apply = await CLI.run(["apply", playbook, "--yes", "--root", root.path], environment: environment)
        #expect(apply.code == 0, "\(apply.all)")
        let runID = try #require(Self.runID(apply.stdout))
        let journal = root.appendingPathComponent("etc/wrtform/runs/\(runID)/run.json")
        var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: journal)) as? [String: Any])
        let escape = "/tmp/wrtform-escape-\(UUID().uuidString)"
        for path in ["/../../../../../../../..\(escape)", "/etc//config/firewall", "/etc/wrtform/runs/\(runID)/status"]
        {
            let change: [String: Any] = [
                "writeFile": [
                    "path": path,
                    "old": ["content": Data("pwned\n".utf8).base64EncodedString(), "mode": "0755", "owner": "0:0"],
                    "new": ["mode": "0644", "owner": "0:0"],
                ]
            ]
            object["steps"] = [["id": "evil", "kind": "file", "changes": [change]]]
            object["files"] = [["path": path, "oldHash": "x", "newHash": "absent"]]
            try JSONSerialization.data(withJSONObject: object).write(to: journal)
            let before = Self.files(root)
            let rollback = await CLI.run(["rollback", "--root", root.path, "--yes"], environment: environment)
            #expect(rollback.code == 1, "\(path): \(rollback.all)")
            let lines = rollback.stderr.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].contains("cannot be trusted"), "\(rollback.stderr)")
            #expect(!FileManager.default.fileExists(atPath: escape))
            #expect(Self.files(root) == before, "\(path): the tree changed")
        }
    }

    @Test func runIDMayNotLeaveTheJournalDirectory() async throws {
        let root = try Self.tree()
        defer { try? FileManager.default.removeItem(at: root) }
        let state = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: state) }
        let environment = CLI.environment(state: state)
        let playbook = try CLI.playbook(
            """
            steps:
              - id: table
                routing-table: { id: 300, name: pppoe }
            """)
        let apply = await CLI.run(["apply", playbook, "--yes", "--root", root.path], environment: environment)
        let runID = try #require(Self.runID(apply.stdout))
        // A well-formed journal planted outside the tree, where `../..` from the runs directory leads.
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent(
            "wrtform-escape-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: outside) }
        try FileManager.default.copyItem(
            at: root.appendingPathComponent("etc/wrtform/runs/\(runID)/run.json"),
            to: outside.appendingPathComponent("run.json"))
        let climb = String(repeating: "../", count: 12) + String(outside.path.dropFirst())
        let before = Self.files(root)
        let rollback = await CLI.run(["rollback", climb, "--root", root.path, "--dry-run"], environment: environment)
        #expect(rollback.code == 1, "\(rollback.all)")
        #expect(rollback.stderr.contains("is not a run id"), "\(rollback.stderr)")
        #expect(!rollback.stdout.contains("300\tpppoe"))
        #expect(Self.files(root) == before)
    }

    /// apply A; roll it back; apply B (the same change); `rollback A` must refuse, not take B's forward.
    @Test func rolledBackRunIsNotRolledBackAgain() async throws {
        let playbook = try CLI.playbook(
            """
            steps:
              - id: forward
                redirect: { name: web, src: wan, src_dport: 8080, dest_ip: 192.168.1.20 }
            """)
        let state = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: state) }
        try await withVirtualRouter { router in
            let target = CLI.target(router)
            let environment = CLI.environment(state: state)
            let first = await CLI.run(["apply", playbook, "--yes"] + target, environment: environment)
            let runA = try #require(Self.runID(first.stdout), "\(first.all)")
            #expect(await CLI.run(["rollback", "--yes"] + target, environment: environment).code == 0)
            let second = await CLI.run(["apply", playbook, "--yes"] + target, environment: environment)
            #expect(second.code == 0, "\(second.all)")
            let firewall = router.root.appendingPathComponent("etc/config/firewall")
            let withB = try String(contentsOf: firewall, encoding: .utf8)
            #expect(withB.contains("option name 'web'"))

            for flags in [["--dry-run"], ["--yes"], ["--yes", "--force"]] {
                let again = await CLI.run(["rollback", runA] + flags + target, environment: environment)
                #expect(again.code == 1, "\(flags): \(again.all)")
                #expect(
                    again.stderr.contains("run \(runA) was rolled-back already: nothing of it is left to undo"),
                    "\(again.stderr)")
                #expect(!again.stdout.contains("- /etc/config/firewall"))
                #expect(try String(contentsOf: firewall, encoding: .utf8) == withB)
            }
        }
    }

    /// A router's files with ESC/OSC sequences and CRs in them: the plan's diff and an error quoting
    /// router data show them as `\x1b`, `\r` — no raw control byte reaches the terminal.
    @Test func routerControlCharactersAreShownNotSent() async throws {
        let root = try Self.tree()
        defer { try? FileManager.default.removeItem(at: root) }
        let firewall = root.appendingPathComponent("etc/config/firewall")
        let planted = "# \u{1B}]0;owned\u{07}\u{1B}[2J\u{1B}[8mhidden\r\n"
        try (try String(contentsOf: firewall, encoding: .utf8) + planted).write(
            to: firewall, atomically: true, encoding: .utf8)
        let playbook = try CLI.playbook(
            """
            steps:
              - id: forward
                redirect: { name: web, src: wan, src_dport: 8080, dest_ip: 192.168.1.20 }
            """)
        let plan = await CLI.run(["plan", playbook, "--root", root.path])
        #expect(plan.code == 2, "\(plan.all)")
        #expect(plan.stdout.contains(" # \\x1b]0;owned\\x07\\x1b[2J\\x1b[8mhidden\\r"), "\(plan.stdout)")
        #expect(
            !plan.all.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" && $0 != "\t" || $0.value == 0x7F },
            "\(plan.all.debugDescription)")

        let tables = root.appendingPathComponent("etc/iproute2/rt_tables")
        try Data("255\tlocal\n300\tevil\u{1B}]0;owned\u{07}\u{1B}[31m\n".utf8).write(to: tables)
        let conflict = try CLI.playbook(
            """
            steps:
              - id: table
                routing-table: { id: 300, name: pppoe }
            """)
        let refused = await CLI.run(["plan", conflict, "--root", root.path])
        #expect(refused.code == 1, "\(refused.all)")
        #expect(refused.stderr.contains("the name 'evil\\x1b]0;owned\\x07\\x1b[31m'"), "\(refused.stderr)")
        #expect(
            !refused.all.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" && $0 != "\t" },
            "\(refused.all.debugDescription)")
    }
}
