import Foundation
import Testing
import WrtformEngine

/// Removing and pruning lines keeps a CRLF file CRLF and every other line byte for byte: lines are
/// split on LF bytes ("\r\n" is one Character, so a Character split saw one long line).
@Suite struct OwnershipLineFileTests {
    static let options = ApplyOptions(owner: "tester@ci", playbook: "lines", confirmTimeout: nil, skipVerify: true)
    static let tables = "# reserved values\r\n#\r\n255\tlocal\r\n254\tmain\r\n253\tdefault\r\n0\tunspec\r\n"
    static let keep = "/etc/dropbear/\r\n/etc/hand-made.conf"

    func run(_ nodes: [StepGraph.Node], _ copy: RouterCopy, scope: OwnershipScope?) async throws -> Plan {
        let graph = try StepGraph(nodes)
        let target = try LocalDirectoryTarget(root: copy.root)
        let planner = Planner(ownership: scope)
        let plan = try planner.plan(graph, on: try await planner.snapshot(of: graph, from: target))
        _ = try await Applier(options: Self.options).apply(plan, to: target)
        return plan
    }

    func steps(absent: Bool) throws -> [StepGraph.Node] {
        var table: [String: Any] = ["id": "300", "name": "pppoe"]
        var keep: [String: Any] = ["paths": ["/etc/iproute2/rt_tables"]]
        if absent {
            table["absent"] = "true"
            keep["absent"] = "true"
        }
        return [
            StepGraph.Node(step: try StepBuilder.step("table", "routing-table", table)),
            StepGraph.Node(step: try StepBuilder.step("keep", "sysupgrade-keep", keep)),
        ]
    }

    /// What removal gives back: the file as it was, except that the line end added before the
    /// new line (the file had none at its end) stays — absent cannot know it was not there.
    static func expected(_ before: [String: Data]) -> [String: Data] {
        var expected = before
        expected["/etc/sysupgrade.conf"] = Data((keep + "\n").utf8)
        return expected
    }

    func prepared() throws -> RouterCopy {
        let copy = try RouterCopy()
        try copy.write("/etc/iproute2/rt_tables", Self.tables)
        try copy.write("/etc/sysupgrade.conf", Self.keep)
        return copy
    }

    @Test func absentTakesOutOnlyItsLinesOfCRLFFiles() async throws {
        let copy = try prepared()
        defer { copy.remove() }
        let before = copy.etc()
        _ = try await run(try steps(absent: false), copy, scope: nil)
        #expect(copy.read("/etc/iproute2/rt_tables").contains("300\tpppoe"))
        let removal = try await run(try steps(absent: true), copy, scope: nil)
        #expect(removal.hasChanges)
        #expect(copy.etc() == Self.expected(before))
    }

    @Test func pruningTakesOutOnlyItsLinesOfCRLFFiles() async throws {
        let copy = try prepared()
        defer { copy.remove() }
        let scope = OwnershipScope(playbook: "lines")
        let before = copy.etc()
        _ = try await run(try steps(absent: false), copy, scope: scope)
        let prune = try await run([], copy, scope: scope)
        #expect(prune.steps.filter { $0.action == .delete }.count == 2)
        var after = copy.etc()
        after[OwnershipRecord.path] = nil
        #expect(after == Self.expected(before))
    }
}
