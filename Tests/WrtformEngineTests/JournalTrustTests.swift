import Foundation
import Testing
import VirtualRouter
import WrtformEngine

/// A journal read back from a router or a tree is input: whoever can edit the flash (or an
/// extracted backup) could otherwise make a rollback write anywhere, with any mode.
@Suite struct JournalTrustTests {
    static let id = "20261126T221500Z-042c9"

    static func journal(id: String = Self.id, changes: [[String: Any]], files: [String] = []) throws -> [UInt8] {
        let object: [String: Any] = [
            "id": id, "time": 1_764_195_300, "playbook": "p", "owner": "o", "services": [], "secretKeys": [],
            "secretFiles": [],
            "steps": [["id": "s", "kind": "file", "changes": changes]],
            "files": files.map { ["path": $0, "oldHash": "absent", "newHash": "absent"] },
        ]
        return Array(try JSONSerialization.data(withJSONObject: object))
    }

    static func write(_ path: String, mode: String = "0755", owner: String = "0:0") -> [String: Any] {
        [
            "writeFile": [
                "path": path,
                "old": ["content": Data("pwned\n".utf8).base64EncodedString(), "mode": mode, "owner": owner],
                "new": ["mode": "0644", "owner": "0:0"],
            ]
        ]
    }

    static func section(_ file: String) -> [String: Any] {
        ["addSection": ["file": file, "match": ["type": "zone", "options": [String: Any]()], "options": [Any]()]]
    }

    static func line(_ file: String, _ line: String) -> [String: Any] { ["addLine": ["file": file, "line": line]] }

    @Test func rogueJournalsAreRefused() throws {
        let rogue: [(String, [String: Any])] = [
            ("escape", Self.write("/../../../../tmp/x")),
            ("doubled slash", Self.write("/etc//config/firewall")),
            ("dot segment", Self.write("/etc/./hotplug.d/x")),
            ("uci config as a file", Self.write("/etc/config/firewall")),
            ("another run's status", Self.write("/etc/wrtform/runs/20261126T221500Z-00000/status")),
            ("boot hook", Self.write("/etc/uci-defaults/99-wrtform-restore")),
            ("control character", Self.write("/etc/x\u{1B}y")),
            ("relative", Self.write("etc/x")),
            ("mode", Self.write("/etc/x", mode: "0755; rm -rf /")),
            ("mode range", Self.write("/etc/x", mode: "77777")),
            ("owner", Self.write("/etc/x", owner: "root")),
            ("uci change outside /etc/config", Self.section("/etc/passwd")),
            ("uci change with ..", Self.section("/etc/config/../passwd")),
            ("line into another file", Self.line("/etc/shadow", "root::0:0:99999:7:::")),
            ("line with a newline", Self.line("/etc/iproute2/rt_tables", "300\tx\n301\ty")),
        ]
        for (what, change) in rogue {
            let error = #expect(throws: EngineError.self, "\(what)") {
                _ = try RunJournal.decode(try Self.journal(changes: [change]))
            }
            #expect(error?.message.contains("cannot be trusted") == true, "\(what): \(String(describing: error))")
        }
        let badFile = #expect(throws: EngineError.self) {
            _ = try RunJournal.decode(try Self.journal(changes: [], files: ["/../../tmp/x"]))
        }
        #expect(badFile?.message.contains("cannot be trusted") == true)
        let badID = #expect(throws: EngineError.self) {
            _ = try RunJournal.decode(try Self.journal(id: "../../../tmp/x", changes: []))
        }
        #expect(badID?.message.contains("cannot be trusted") == true)
        let otherRun = #expect(throws: EngineError.self) {
            _ = try RunJournal.decode(try Self.journal(changes: []), run: "20261126T221500Z-11111")
        }
        #expect(otherRun?.message.contains("not 20261126T221500Z-11111") == true)
        let garbage = #expect(throws: EngineError.self) { _ = try RunJournal.decode(Array("{\"id\": 1}".utf8)) }
        #expect(garbage?.kind == .router)

        // What wrtform itself writes passes.
        let good = try RunJournal.decode(
            try Self.journal(
                changes: [
                    Self.write("/etc/hotplug.d/iface/40-pppoe", mode: "0644"), Self.section("/etc/config/firewall"),
                    Self.line("/etc/iproute2/rt_tables", "300\tpppoe"),
                    Self.line("/etc/sysupgrade.conf", "/etc/openvpn/"),
                ], files: ["/etc/config/firewall", "/etc/hotplug.d/iface/40-pppoe"]), run: Self.id)
        #expect(good.steps.first?.changes.count == 4)
        for id in ["../x", "a/b", "", "x y", "\u{1B}", String(repeating: "a", count: 65), "a\u{301}"] {
            #expect(!RunJournal.isValidID(id), "\(id.debugDescription)")
        }
    }

    /// Over SSH: a journal edited on the router so its rollback would write /tmp/x (0755, chosen
    /// bytes) is refused with one error, and nothing on the router changes.
    @Test func rogueJournalOnRouterIsRefused() async throws {
        try await withVirtualRouter { router in
            let target = router.sshTarget()
            let graph = try StepGraph([
                .init(
                    step: try StepBuilder.step(
                        "hook", "file", ["path": "/etc/hotplug.d/iface/41-x", "content": "#!/bin/sh\n"]))
            ])
            let result = try await Applier(options: Fault.options).apply(
                try await Fault.plan(graph, target), to: target)
            let runID = try #require(result.runID)
            let journalFile = router.root.appendingPathComponent("etc/wrtform/runs/\(runID)/run.json")
            var object = try #require(
                try JSONSerialization.jsonObject(with: Data(contentsOf: journalFile)) as? [String: Any])
            for path in ["/../tmp/x", "/etc//config/firewall", "/etc/wrtform/runs/\(runID)/status"] {
                object["steps"] = [["id": "evil", "kind": "file", "changes": [Self.write(path)]]]
                object["files"] = [["path": path, "oldHash": "x", "newHash": "absent"]]
                try JSONSerialization.data(withJSONObject: object).write(to: journalFile)
                let before = router.etc()
                do {
                    let snapshot = try await target.snapshot(paths: [], run: runID)
                    let plan = try Rollback(force: true).plan(snapshot)
                    _ = try await Rollback(force: true).apply(plan, with: Applier(options: Fault.options), to: target)
                    Issue.record("the rogue journal (\(path)) was acted on")
                } catch let error as EngineError {
                    #expect(error.message.contains("cannot be trusted"), "\(error)")
                    #expect(error.hint?.contains("edited or damaged") == true)
                }
                #expect(!router.exists("/tmp/x"))
                #expect(router.etc() == before)
                #expect(router.read("/etc/wrtform/runs/\(runID)/status") == "done\n")
            }
            // A run id is one directory name, over SSH as on a tree.
            let error = await #expect(throws: EngineError.self) {
                _ = try await target.snapshot(paths: [], run: "../../../tmp/x")
            }
            #expect(error?.message.contains("is not a run id") == true)
            await target.close()
        }
    }
}
