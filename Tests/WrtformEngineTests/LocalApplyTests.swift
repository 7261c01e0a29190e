import Foundation
import Testing
import WrtformEngine

/// Apply and rollback on the local-directory target: the same journal, lock and compare-and-swap
/// logic a router gets, without services.
@Suite struct LocalApplyTests {
    let applier = Applier(options: ApplyOptions(owner: "tester@host", playbook: "ocn", confirmTimeout: nil))

    func planAndApply(_ graph: StepGraph, _ target: LocalDirectoryTarget) async throws -> (Plan, ApplyResult) {
        let snapshot = try await target.snapshot(paths: Planner.paths(for: graph), run: nil)
        let plan = try Planner().plan(graph, on: snapshot)
        return (plan, try await applier.apply(plan, to: target))
    }

    @Test func applyIsIdempotentAndRollsBack() async throws {
        let copy = try RouterCopy()
        defer { copy.remove() }
        let before = copy.etc()
        let target = try LocalDirectoryTarget(root: copy.root)
        let graph = try StepBuilder.ocn()
        let (_, first) = try await planAndApply(graph, target)
        #expect(first.status == .done)
        #expect(first.filesWritten.count == 6)
        #expect(copy.read("/etc/wrtform/ddns.secret") == StepBuilder.ddnsPassword + "\n")
        let (second, again) = try await planAndApply(graph, target)
        #expect(!second.hasChanges)
        #expect(again.runID == nil)

        let history = try await target.snapshot(paths: [], run: nil).runs
        #expect(history.map(\.status) == [.done])

        let rollbackSnapshot = try await target.snapshot(paths: [], run: "last")
        let undo = try Rollback().plan(rollbackSnapshot)
        _ = try await Rollback().apply(undo, with: applier, to: target)
        let after = copy.etc()
        #expect(Set(after.keys) == Set(before.keys))
        for (path, data) in before { #expect(after[path] == data, "\(path) differs after rollback") }
        #expect(after["/etc/wrtform/ddns.secret"] == nil)
        // Rolling back again is refused: the run was rolled back already.
        let later = try await target.snapshot(paths: [], run: "last")
        #expect(later.journal?.id == undo.snapshot.journal?.id)
        #expect(later.runs.first { $0.id == later.journal?.id }?.status == .rolledBack)
        let error = #expect(throws: EngineError.self) { try Rollback().plan(later) }
        #expect(error?.message.hasSuffix("was rolled-back already: nothing of it is left to undo") == true)
    }

    /// The journal's copies are private (0600) whatever the file's mode, and a restore puts each
    /// file back with its own mode.
    @Test func journalCopiesArePrivateAndRestoreKeepsModes() async throws {
        let copy = try RouterCopy()
        defer { copy.remove() }
        let network = copy.root.appendingPathComponent("etc/config/network").path
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: network)
        let before = copy.etc()
        let target = try LocalDirectoryTarget(root: copy.root)
        let (_, result) = try await planAndApply(try StepBuilder.ocn(), target)
        let runID = try #require(result.runID)
        let files = copy.root.appendingPathComponent("etc/wrtform/runs/\(runID)/files")
        let copies = try FileManager.default.contentsOfDirectory(atPath: files.path)
        #expect(!copies.isEmpty)
        for name in copies {
            let mode =
                try FileManager.default.attributesOfItem(atPath: files.appendingPathComponent(name).path)[
                    .posixPermissions] as? NSNumber
            #expect(mode?.intValue == 0o600, "\(name)")
        }
        try await target.restore(runID: runID, status: "restored")
        #expect(copy.etc() == before)
        let mode = try FileManager.default.attributesOfItem(atPath: network)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o640)
    }

    /// Rollback, like plan, stops while someone else is mid-change (unsaved LuCI edits).
    @Test func rollbackRefusesOverStagedChangesUnlessForced() async throws {
        let copy = try RouterCopy()
        defer { copy.remove() }
        let target = try LocalDirectoryTarget(root: copy.root)
        _ = try await planAndApply(try StepBuilder.ocn(), target)
        try copy.write("/tmp/.uci/network", "network.lan.ipaddr='10.0.0.1'\n")
        let snapshot = try await target.snapshot(paths: [], run: "last")
        let error = #expect(throws: EngineError.self) { try Rollback().plan(snapshot) }
        #expect(error?.kind == .pendingChanges)
        #expect(error?.hint?.hasSuffix("or pass --force to roll back over them") == true)
        #expect(try Rollback(force: true).plan(snapshot).hasChanges)
    }

    /// A port forward is the same forward only for a family and protocols it shares: a LuCI
    /// forward of the port without family/proto is updated, an IPv6/UDP one is left alone — and
    /// a rollback finds the updated one again and puts it back.
    @Test func redirectMatchesByFamilyAndProtocol() async throws {
        let copy = try RouterCopy()
        defer { copy.remove() }
        let handMade = """

            config redirect
            \toption name 'quic6'
            \toption src 'wan'
            \toption src_dport '8443'
            \toption family 'ipv6'
            \toption proto 'udp'
            \toption dest 'lan'
            \toption dest_ip 'fd00::20'

            config redirect
            \toption name 'web'
            \toption src 'wan'
            \toption src_dport '8443'
            \toption dest 'lan'
            \toption dest_ip '192.168.1.7'

            """
        try copy.write("/etc/config/firewall", copy.read("/etc/config/firewall") + handMade)
        let before = copy.read("/etc/config/firewall")
        let target = try LocalDirectoryTarget(root: copy.root)
        let forward = try StepBuilder.step(
            "fwd", "redirect", ["name": "web", "src": "wan", "src_dport": "8443", "dest_ip": "192.168.1.20"])
        let (plan, result) = try await planAndApply(try StepGraph([.init(step: forward)]), target)
        #expect(result.status == .done)
        #expect(plan.steps.first?.changes.count == 1)
        guard case .setOptions(_, _, let options)? = plan.steps.first?.changes.first else {
            Issue.record("expected the hand-made IPv4 forward to be updated, got \(plan.steps.first?.changes ?? [])")
            return
        }
        #expect(Set(options.map(\.key)) == ["dest_ip", "family", "proto", "target", "dest_port"])
        let after = copy.read("/etc/config/firewall")
        #expect(after.contains("\toption dest_ip 'fd00::20'\n"))
        #expect(
            after.components(separatedBy: "config redirect").count
                == before.components(separatedBy: "config redirect").count)

        let undo = try Rollback().plan(try await target.snapshot(paths: [], run: "last"))
        _ = try await Rollback().apply(undo, with: applier, to: target)
        #expect(copy.read("/etc/config/firewall") == before)
    }

    /// With only a forward of another family on the port, a new forward is added beside it.
    @Test func redirectOfAnotherFamilyIsLeftAlone() async throws {
        let copy = try RouterCopy()
        defer { copy.remove() }
        let six =
            "\nconfig redirect\n\toption src 'wan'\n\toption src_dport '8443'\n\toption family 'ipv6'\n\toption proto 'udp'\n\toption dest_ip 'fd00::20'\n"
        try copy.write("/etc/config/firewall", copy.read("/etc/config/firewall") + six)
        let target = try LocalDirectoryTarget(root: copy.root)
        let forward = try StepBuilder.step(
            "fwd", "redirect", ["src": "wan", "src_dport": "8443", "dest_ip": "192.168.1.20"])
        let (plan, _) = try await planAndApply(try StepGraph([.init(step: forward)]), target)
        guard case .addSection? = plan.steps.first?.changes.first else {
            Issue.record("expected a new forward, got \(plan.steps.first?.changes ?? [])")
            return
        }
        #expect(copy.read("/etc/config/firewall").contains(six))
    }

    @Test func rollbackKeepsUnrelatedEditsAndStopsOnConflicts() async throws {
        let copy = try RouterCopy()
        defer { copy.remove() }
        let target = try LocalDirectoryTarget(root: copy.root)
        _ = try await planAndApply(try StepBuilder.ocn(), target)
        // Days later, by hand: an unrelated option, and a change to something the run set.
        var network = copy.read("/etc/config/network")
        network = network.replacingOccurrences(
            of: "\toption ip6assign '60'\n", with: "\toption ip6assign '60'\n\toption hostname 'kept'\n")
        try copy.write("/etc/config/network", network)
        let firewall = copy.read("/etc/config/firewall").replacingOccurrences(
            of: "\toption dest_ip '192.168.1.5'\n", with: "\toption dest_ip '192.168.1.6'\n")
        try copy.write("/etc/config/firewall", firewall)

        let snapshot = try await target.snapshot(paths: [], run: "last")
        let error = #expect(throws: EngineError.self) { try Rollback().plan(snapshot) }
        #expect(error?.kind == .conflict)
        #expect(error?.message.contains("dest_ip is now '192.168.1.6'") == true)

        let forced = try Rollback(force: true).plan(snapshot)
        _ = try await Rollback(force: true).apply(forced, with: applier, to: target)
        let restored = copy.read("/etc/config/network")
        #expect(restored.contains("option hostname 'kept'"))
        #expect(!restored.contains("wanppp"))
        #expect(!copy.read("/etc/config/firewall").contains("wan_pppoe"))
    }

    @Test func lockAndCompareAndSwap() async throws {
        let copy = try RouterCopy()
        defer { copy.remove() }
        let target = try LocalDirectoryTarget(root: copy.root)
        let graph = try StepBuilder.ocn()
        let snapshot = try await target.snapshot(paths: Planner.paths(for: graph), run: nil)
        let plan = try Planner().plan(graph, on: snapshot)

        try copy.write(
            "/var/lock/wrtform/owner", "alice@laptop\n4242\n\(Int(Date().timeIntervalSince1970) - 30)\nRUN1\n")
        let locked = await #expect(throws: EngineError.self) { try await applier.apply(plan, to: target) }
        #expect(locked?.kind == .locked)
        #expect(locked?.message.contains(/locked by alice@laptop \(run RUN1, pid 4242\) since 3\d s ago/) == true)
        try FileManager.default.removeItem(at: copy.root.appendingPathComponent("var/lock/wrtform"))

        let before = copy.etc()
        try copy.write("/etc/config/firewall", copy.read("/etc/config/firewall") + "\n# edited meanwhile\n")
        let changed = await #expect(throws: EngineError.self) { try await applier.apply(plan, to: target) }
        #expect(changed?.kind == .changedSincePlan)
        #expect(changed?.message.hasPrefix("/etc/config/firewall changed on the router since the plan read it") == true)
        #expect(
            copy.read("/etc/config/network") == String(decoding: before["/etc/config/network"] ?? Data(), as: UTF8.self)
        )
    }

    @Test func localJournalIsMasked() async throws {
        let copy = try RouterCopy()
        defer { copy.remove() }
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("wrtform-state-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: state) }
        let target = try LocalDirectoryTarget(root: copy.root)
        var options = applier.options
        options.localJournalDirectory = state.path
        let graph = try StepBuilder.ocn()
        let plan = try Planner().plan(graph, on: try await target.snapshot(paths: Planner.paths(for: graph), run: nil))
        let result = try await Applier(options: options).apply(plan, to: target)
        let files = try FileManager.default.subpathsOfDirectory(atPath: state.path).filter { $0.hasSuffix(".json") }
        #expect(files.count == 1)
        let text = try String(contentsOf: state.appendingPathComponent(try #require(files.first)), encoding: .utf8)
        #expect(text.contains(try #require(result.runID)))
        #expect(!text.contains(StepBuilder.pppoePassword))
        #expect(!text.contains("ddns-S3cr3t"))
        // The router's own journal keeps what rollback needs (0600, in 0700 directories).
        let journal = copy.root.appendingPathComponent("etc/wrtform/runs/\(try #require(result.runID))")
        let mode = try FileManager.default.attributesOfItem(atPath: journal.path)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o700)
    }
}
