import Foundation
import Testing
import VirtualRouter

@testable import WrtformEngine

/// The snapshot's framing: names from the router cannot forge lines, and malformed answers are
/// errors naming the line, never crashes nor silently skipped lines.
@Suite struct SnapshotFramingTests {
    /// Files and directories whose names hold newlines and would-be snapshot lines: a planted
    /// hostname, a fake run, a fake staged change, a file record whose size overflows.
    @Test func namesWithNewlinesForgeNothingOverSSH() async throws {
        try await withVirtualRouter { router in
            let planted = "évil\nH planted-hostname\nN 20990101T000000Z-aaaaa\tdone\t1\tfake\tetc-x\n4:fake"
            try Data("config x 'y'\n".utf8).write(to: router.root.appendingPathComponent("etc/config/\(planted)"))
            try FileManager.default.createDirectory(
                at: router.root.appendingPathComponent(
                    "etc/wrtform/runs/x\nN 20990101T000000Z-bbbbb\tdone\t1\tfake\tetc-y"),
                withIntermediateDirectories: true)
            try FileManager.default.createDirectory(
                at: router.root.appendingPathComponent("tmp/.uci"), withIntermediateDirectories: true)
            try Data("x\n".utf8).write(
                to: router.root.appendingPathComponent("tmp/.uci/a\nF 9223372036854775807\tx\ty\tz"))
            let target = router.sshTarget()
            let snapshot = try await target.snapshot(paths: [], run: nil)
            #expect(snapshot.facts.hostname == "OpenWrt")
            #expect(snapshot.facts.configs.contains(planted))
            #expect(snapshot.runs.isEmpty, "\(snapshot.runs)")
            #expect(
                snapshot.stagedChanges == [
                    "uncommitted uci changes in /tmp/.uci/a\\x0aF 9223372036854775807\\x09x\\x09y\\x09z"
                ])
            await target.close()
        }
    }

    static func parse(_ text: String) -> EngineError? {
        do {
            _ = try SnapshotScript.parse(Array(text.utf8))
            return nil
        } catch let error as EngineError {
            return error
        } catch {
            return EngineError(.router, "\(error)")
        }
    }

    @Test func unknownTagIsAnErrorNamingTheLine() {
        let error = Self.parse("WRTFORM 2\nT 5\nQ hello\nEND\n")
        #expect(error?.message == "the router's snapshot is malformed at line 3 ('Q hello'): unknown tag")
    }

    @Test(arguments: [
        "WRTFORM 2\nH 9223372036854775807\nx\nEND\n",
        "WRTFORM 2\nF regular regular 9223372036854775807 -rw-r--r-- 0 0\n/etc/x\0\0/etc/x\0abc\nEND\n",
        "WRTFORM 2\nP 0 0 9223372036854775806\nabc\nEND\n",
        "WRTFORM 2\nT 99999999999999999999999\nEND\n",
        "WRTFORM 2\nT -5\nEND\n",
        "WRTFORM 2\nF regular regular 3 -rw-r--r-- 0 99999999999\n/etc/x\0\0/etc/x\0abc\nEND\n",
        "WRTFORM 2\nF regular regular 3 drwxrwxrwx? 0 0\n/etc/x\0\0/etc/x\0abc\nEND\n",
        "WRTFORM 2\nC 4\nabcd\nEND\n",
        "WRTFORM 2\nC 4\n9:ab\nEND\n",
        "WRTFORM 2\nC 22\n9223372036854775807:ab\nEND\n",
        "WRTFORM 2\nS 5\n3:xyz\nEND\n",
        "WRTFORM 2\nX rm\nEND\n",
        "WRTFORM 2\nT 5\n",
        "WRTFORM 2\nEND\nT 5\n",
    ])
    func malformedOrOutOfRangeIsAnError(_ text: String) {
        let error = Self.parse(text)
        #expect(error != nil)
        #expect(error?.kind == .router)
        #expect(error?.message.contains("line") == true, "\(error?.message ?? "")")
    }

    @Test func aWellFormedAnswerParses() throws {
        func record(_ tag: String, _ items: [String]) -> String {
            let body = items.map { "\($0.utf8.count):\($0)" }.joined()
            return "\(tag) \(body.utf8.count)\n\(body)\n"
        }
        let text =
            "WRTFORM 2\nT 1700000000\n" + record("H", ["OpenWrt"]) + "X uci\nX opkg\n"
            + record("C", ["network", "firewall"])
            + record("N", ["20261204T000000Z-abcde", "done", "1700000000\tocn\t/etc/x"])
            + record("E", ["192.168.1.9 50000 192.168.1.1 22"]) + record("D", ["lo", "wan"])
            + "F symlink regular 3 -rw-r----- 0 0\n/etc/config/firewall\0/etc/firewall.real\0/etc/firewall.real\0abc\n"
            + "F absent absent 0 - - -\n/etc/sysupgrade.conf\0\0/etc/sysupgrade.conf\0\nEND\n"
        let output = try SnapshotScript.parse(Array(text.utf8))
        let snapshot = output.snapshot
        #expect(snapshot.routerTime == 1_700_000_000)
        #expect(snapshot.facts.hostname == "OpenWrt")
        #expect(snapshot.facts.has("uci"))
        #expect(snapshot.facts.packageManager == "opkg")
        #expect(snapshot.facts.configs == ["network", "firewall"])
        #expect(snapshot.runs.map(\.id) == ["20261204T000000Z-abcde"])
        #expect(snapshot.runs.first?.status == .done)
        #expect(snapshot.connectedAddress == "192.168.1.1")
        #expect(snapshot.facts.devices == ["lo", "wan"])
        let firewall = try #require(snapshot.files["/etc/config/firewall"])
        #expect(firewall.kind == .symlink)
        #expect(firewall.link == "/etc/firewall.real")
        #expect(firewall.realPath == "/etc/firewall.real")
        #expect(firewall.mode == "0640")
        #expect(firewall.content == Array("abc".utf8))
        #expect(snapshot.files["/etc/sysupgrade.conf"]?.exists == false)
    }
}
