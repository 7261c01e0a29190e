import Foundation
import Testing
import VirtualRouter
import WrtformEngine

/// rt_tables and sysupgrade.conf as routers really have them: edited on Windows (CRLF), or without
/// a final newline. Lines are split on LF bytes, so apply adds one line and rollback takes exactly
/// that line away again — byte for byte.
@Suite struct LineStepTests {
    static let rtTables = ["255\tlocal", "254\tmain", "253\tdefault", "0\tunspec"]
    static let keep = ["/etc/example.conf", "/etc/openvpn/"]

    static func graph() throws -> StepGraph {
        try StepGraph([
            .init(step: try StepBuilder.step("table", "routing-table", ["id": "300", "name": "pppoe"])),
            .init(
                step: try StepBuilder.step(
                    "keep", "sysupgrade-keep", ["paths": ["/etc/iproute2/rt_tables", "/etc/hotplug.d/iface/40-pppoe"]])),
        ])
    }

    static func text(_ lines: [String], crlf: Bool, finalNewline: Bool) -> String {
        let end = crlf ? "\r\n" : "\n"
        return lines.joined(separator: end) + (finalNewline ? end : "")
    }

    /// Lines as the router's readers see them (split on LF, a CR before it dropped).
    static func lines(_ data: Data?) -> [String] {
        guard let data else { return [] }
        return data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { line in
            String(decoding: line.last == UInt8(ascii: "\r") ? line.dropLast() : line, as: UTF8.self)
        }.filter { !$0.isEmpty }
    }

    @Test(arguments: [(true, true), (true, false), (false, false)])
    func applyAndRollbackOnRoot(crlf: Bool, finalNewline: Bool) async throws {
        let copy = try RouterCopy()
        defer { copy.remove() }
        try copy.write("/etc/iproute2/rt_tables", Self.text(Self.rtTables, crlf: crlf, finalNewline: finalNewline))
        try copy.write("/etc/sysupgrade.conf", Self.text(Self.keep, crlf: crlf, finalNewline: finalNewline))
        let before = copy.etc()
        let target = try LocalDirectoryTarget(root: copy.root)
        let applier = Applier(options: ApplyOptions(owner: "tester", playbook: "lines", confirmTimeout: nil))

        let graph = try Self.graph()
        let plan = try Planner().plan(graph, on: try await target.snapshot(paths: Planner.paths(for: graph), run: nil))
        #expect(try await applier.apply(plan, to: target).status == .done)
        let tables = copy.etc()["/etc/iproute2/rt_tables"]
        #expect(Self.lines(tables) == Self.rtTables + ["300\tpppoe"])
        #expect(
            Self.lines(copy.etc()["/etc/sysupgrade.conf"]) == Self.keep + [
                "/etc/iproute2/rt_tables", "/etc/hotplug.d/iface/40-pppoe",
            ])
        // Read back, the lines are there: nothing more to do.
        let again = try Planner().plan(graph, on: try await target.snapshot(paths: Planner.paths(for: graph), run: nil))
        #expect(!again.hasChanges)

        let undo = try Rollback().plan(try await target.snapshot(paths: [], run: "last"))
        #expect(undo.hasChanges)
        _ = try await Rollback().apply(undo, with: applier, to: target)
        let after = copy.etc()
        for path in ["/etc/iproute2/rt_tables", "/etc/sysupgrade.conf"] {
            #expect(
                after[path] == before[path],
                "\(path): \(String(decoding: after[path] ?? Data(), as: UTF8.self).debugDescription)")
        }
        #expect(after == before)
    }

    /// The audit's case, over SSH: CRLF files, apply, then rollback must take both lines away.
    @Test func crlfFilesRollBackOverSSH() async throws {
        try await withVirtualRouter { router in
            try router.write("/etc/iproute2/rt_tables", Self.text(Self.rtTables, crlf: true, finalNewline: true))
            try router.write("/etc/sysupgrade.conf", Self.text(Self.keep, crlf: true, finalNewline: false))
            let before = router.etc()
            let target = router.sshTarget()
            let plan = try await Fault.plan(try Self.graph(), target)
            #expect(try await Applier(options: Fault.options).apply(plan, to: target).status == .done)
            #expect(Self.lines(router.etc()["/etc/iproute2/rt_tables"]).last == "300\tpppoe")
            let undo = try Rollback().plan(try await target.snapshot(paths: [], run: "last"))
            #expect(undo.steps.filter { $0.action != .noop }.count == 2)
            #expect(try await Rollback().apply(undo, with: Applier(options: Fault.options), to: target).status == .done)
            #expect(router.etc() == before)
            await target.close()
        }
    }

    /// A router without /etc/sysupgrade.conf: the run creates it, and its rollback removes it again
    /// (it used to leave an empty file behind).
    @Test func createdSysupgradeConfIsRemovedByRollback() async throws {
        try await withVirtualRouter { router in
            _ = try router.runInSandbox("rm -f /etc/sysupgrade.conf")
            #expect(!router.exists("/etc/sysupgrade.conf"))
            let before = router.etc()
            let target = router.sshTarget()
            let graph = try StepGraph([
                .init(step: try StepBuilder.step("keep", "sysupgrade-keep", ["paths": Self.keep]))
            ])
            let plan = try await Fault.plan(graph, target)
            #expect(try await Applier(options: Fault.options).apply(plan, to: target).status == .done)
            #expect(router.read("/etc/sysupgrade.conf") == Self.keep.map { $0 + "\n" }.joined())
            let undo = try Rollback().plan(try await target.snapshot(paths: [], run: "last"))
            #expect(try await Rollback().apply(undo, with: Applier(options: Fault.options), to: target).status == .done)
            #expect(!router.exists("/etc/sysupgrade.conf"))
            #expect(router.etc() == before)
            await target.close()
        }
    }

    /// sysupgrade splits its lines as shell words: a path holds what a `file` path may, checked as bytes.
    @Test func sysupgradePathsAreRestrictedAsFilePaths() throws {
        for bad in [
            "/etc/my file", "/etc/x\u{7F}", "/etc/x\u{2028}y", "/etc/x\r\n/etc/y", "/etc/../shadow", "/etc/./x",
            "etc/x",
            "/etc/'\u{301}x", "/etc/wrtform/runs/x",
        ] {
            let error = #expect(throws: EngineError.self, "\(bad.debugDescription)") {
                _ = try StepBuilder.step("keep", "sysupgrade-keep", ["paths": [bad]])
            }
            #expect(error?.kind == .invalidInput)
            #expect(error?.location?.file == "test.yml")
        }
        let step = try #require(
            try StepBuilder.step("keep", "sysupgrade-keep", ["paths": ["//etc//x.conf", "/etc/openvpn/"]])
                as? SysupgradeKeepStep)
        #expect(step.paths == ["/etc/x.conf", "/etc/openvpn/"])
    }
}
