import Foundation
import Testing
import WrtformEngine

/// `absent: true`, the ownership record, pruning and destroy, on a local copy of a stock router.
@Suite struct OwnershipTests {
    static let options = ApplyOptions(owner: "tester@ci", playbook: "ocn", confirmTimeout: nil, skipVerify: true)

    func plan(_ graph: StepGraph, _ copy: RouterCopy, _ scope: OwnershipScope? = OwnershipScope(playbook: "ocn"))
        async throws -> Plan
    {
        let target = try LocalDirectoryTarget(root: copy.root)
        let planner = Planner(ownership: scope)
        return try planner.plan(graph, on: try await planner.snapshot(of: graph, from: target))
    }

    @discardableResult
    func apply(_ graph: StepGraph, _ copy: RouterCopy, _ scope: OwnershipScope? = OwnershipScope(playbook: "ocn"))
        async throws -> Plan
    {
        let plan = try await plan(graph, copy, scope)
        _ = try await Applier(options: Self.options).apply(plan, to: try LocalDirectoryTarget(root: copy.root))
        return plan
    }

    func record(_ copy: RouterCopy) throws -> OwnershipRecord {
        try OwnershipRecord.read(FileState(content: Array(copy.read(OwnershipRecord.path).utf8)))
    }

    /// The OCN graph without the steps named.
    func ocn(without removed: Set<String>) throws -> StepGraph {
        try StepGraph(
            try StepBuilder.ocn().ordered.filter { !removed.contains($0.id) }.map { StepGraph.Node(step: $0) })
    }

    func absent(_ id: String, _ kind: String, _ fields: [String: Any]) throws -> StepGraph.Node {
        var fields = fields
        fields["absent"] = "true"
        return StepGraph.Node(step: try StepBuilder.step(id, kind, fields))
    }

    /// Every step kind removes what it names; together they take the router back to the bytes it had.
    @Test func absentOnEveryKindRemovesWhatTheStepNames() async throws {
        let copy = try RouterCopy()
        defer { copy.remove() }
        let before = copy.etc()
        let extra = [
            StepGraph.Node(
                step: try StepBuilder.step(
                    "nas", "uci-section",
                    [
                        "config": "dhcp", "type": "host", "name": "nas",
                        "options": ["ip": "192.168.1.20", "mac": "00:11:22:33:44:55"],
                    ])),
            StepGraph.Node(
                step: try StepBuilder.step(
                    "cron", "uci-option",
                    ["config": "system", "section": "@system[0]", "options": ["cronloglevel": "5"]])),
        ]
        try await apply(
            try StepGraph(try StepBuilder.ocn().ordered.map { StepGraph.Node(step: $0) } + extra), copy, nil)
        #expect(copy.read("/etc/config/dhcp").contains("config host 'nas'"))

        let graph = try StepGraph([
            try absent("https", "redirect", ["src": "wan_pppoe", "src_dport": "443"]),
            try absent("fwd", "forwarding", ["src": "lan", "dest": "wan_pppoe"]),
            try absent("rule", "network-rule", ["in": "lan", "src": "192.168.1.5", "lookup": "pppoe"]),
            try absent("zone", "firewall-zone", ["name": "wan_pppoe"]),
            try absent("wanppp", "interface", ["name": "wanppp"]),
            // The port's `config device` the interface step added: an absent interface leaves it (it
            // may be older than wrtform), so a playbook taking it out names it.
            try absent("port", "uci-section", ["config": "network", "type": "device", "match": ["name": "wan"]]),
            try absent("wan-metric", "interface-options", ["name": "wan", "metric": "1"]),
            try absent("pppoe-table", "routing-table", ["id": "300", "name": "pppoe"]),
            try absent("ddns-secret", "file", ["path": "/etc/wrtform/ddns.secret"]),
            try absent("hook", "file", ["path": "/etc/hotplug.d/iface/40-pppoe"]),
            try absent(
                "keep", "sysupgrade-keep", ["paths": ["/etc/iproute2/rt_tables", "/etc/hotplug.d/iface/40-pppoe"]]),
            try absent("nas", "uci-section", ["config": "dhcp", "type": "host", "name": "nas"]),
            try absent(
                "cron", "uci-option",
                ["config": "system", "section": "@system[0]", "options": ["cronloglevel": "ignored"]]),
        ])
        let plan = try await plan(graph, copy, nil)
        #expect(plan.steps.allSatisfy { $0.action == .delete })
        #expect(plan.steps.allSatisfy { $0.action != .noop })
        // A removed secret file is never shown, even when the step no longer says it is secret.
        #expect(!plan.files.map(\.diff).joined().contains(StepBuilder.ddnsPassword))
        _ = try await Applier(options: Self.options).apply(plan, to: try LocalDirectoryTarget(root: copy.root))
        #expect(copy.etc() == before)
        // Absent again: nothing left to do.
        #expect(try await self.plan(graph, copy, nil).hasChanges == false)
    }

    @Test func absentNeedsTheIdentifyingFieldsOnly() throws {
        // A redirect to remove needs no dest_ip; a value of absent other than true is an error at its line.
        _ = try StepBuilder.step("r", "redirect", ["src_dport": "443", "absent": "true"])
        #expect(throws: EngineError.self) {
            try StepBuilder.step("r", "redirect", ["src_dport": "443", "absent": "no"])
        }
        #expect(throws: EngineError.self) { try StepBuilder.step("r", "redirect", ["absent": "true"]) }
    }

    /// Removing what config the plan leaves in place still names is an error naming the referrer.
    @Test(
        arguments: [
            ("interface", ["name": "wanppp"], "zone 'wan_pppoe'"),
            ("firewall-zone", ["name": "wan_pppoe"], "forwarding [src='lan' dest='wan_pppoe']"),
            ("routing-table", ["id": "300", "name": "pppoe"], "in /etc/config/network"),
        ] as [(String, [String: String], String)])
    func removingSomethingStillReferredToIsAPlanError(kind: String, fields: [String: String], referrer: String)
        async throws
    {
        let copy = try RouterCopy()
        defer { copy.remove() }
        try await apply(try StepBuilder.ocn(), copy, nil)
        let applied = copy.etc()
        let graph = try StepGraph([try absent("gone", kind, fields)])
        let error = try await #require(throws: EngineError.self) { try await self.plan(graph, copy, nil) }
        #expect(error.kind == .conflict)
        #expect(error.message.contains("step 'gone' removes"))
        #expect(error.message.contains(referrer))
        #expect(error.message.contains("nothing was written"))
        #expect(copy.etc() == applied)
    }

    /// The playbook removes the referrer too: no error.
    @Test func removingTheReferrerTooIsFine() async throws {
        let copy = try RouterCopy()
        defer { copy.remove() }
        try await apply(try StepBuilder.ocn(), copy, nil)
        let graph = try StepGraph([
            try absent("gone", "interface", ["name": "wanppp"]),
            StepGraph.Node(
                step: try StepBuilder.step("zone", "firewall-zone", ["name": "wan_pppoe", "network": ["lan"]])),
            try absent("rule", "network-rule", ["in": "lan", "src": "192.168.1.5", "lookup": "pppoe"]),
        ])
        let plan = try await plan(graph, copy, nil)
        #expect(plan.steps.first?.action == .delete)
    }

    @Test func applyRecordsOwnershipWithTheRunInTheSameWrite() async throws {
        let copy = try RouterCopy()
        defer { copy.remove() }
        let plan = try await plan(try StepBuilder.ocn(), copy)
        #expect(plan.files.contains { $0.path == OwnershipRecord.path })
        let result = try await Applier(options: Self.options).apply(plan, to: try LocalDirectoryTarget(root: copy.root))
        let record = try record(copy)
        let owned = try #require(record.playbooks["ocn"])
        #expect(owned.run == result.runID)
        let ids = try StepBuilder.ocn().ordered.map(\.id)
        #expect(owned.steps.map(\.id) == ids)
        #expect(owned.steps.allSatisfy { $0.run == result.runID })
        let wan = try #require(owned.steps.first { $0.id == "wan-metric" })
        #expect(wan.created == false)
        #expect(wan.options == [OwnedOption(key: "metric", value: .single("1"), before: nil, beforeKnown: true)])
        #expect(owned.steps.first { $0.id == "https" }?.created == true)
        // Never a secret, never a position.
        let text = copy.read(OwnershipRecord.path)
        #expect(!text.contains(StepBuilder.pppoePassword) && !text.contains(StepBuilder.ddnsPassword))
        #expect(!text.contains("position"))
        let mode = try FileManager.default.attributesOfItem(
            atPath: copy.root.appendingPathComponent("etc/wrtform/owners.json").path)[.posixPermissions]
        #expect(mode as? Int == 0o600)
        // The record is written by the same run, journaled with the rest.
        let runID = try #require(result.runID)
        #expect(copy.read("/etc/wrtform/runs/\(runID)/paths").contains(OwnershipRecord.path))
        // Converged: nothing to write, not even the record.
        #expect(try await self.plan(try StepBuilder.ocn(), copy).hasChanges == false)
    }

    @Test func aStepGoneFromThePlaybookIsPrunedWithTheReason() async throws {
        let copy = try RouterCopy()
        defer { copy.remove() }
        try await apply(try StepBuilder.ocn(), copy)
        let applied = copy.etc()
        let plan = try await plan(try ocn(without: ["https"]), copy)
        let removed = plan.steps.filter { $0.action != .noop }
        #expect(removed.map(\.id) == ["https"])
        #expect(removed.first?.action == .delete)
        #expect(removed.first?.summary.first?.hasSuffix("(no longer in the playbook)") == true)
        #expect(Set(plan.files.map(\.path)) == ["/etc/config/firewall", OwnershipRecord.path])
        #expect(plan.summaryLine == "Plan: 0 to add, 0 to change, 1 to remove.")
        _ = try await Applier(options: Self.options).apply(plan, to: try LocalDirectoryTarget(root: copy.root))
        var expected = applied
        expected["/etc/config/firewall"] = nil
        expected[OwnershipRecord.path] = nil
        var now = copy.etc()
        #expect(!String(decoding: now["/etc/config/firewall"] ?? Data(), as: UTF8.self).contains("https-server"))
        now["/etc/config/firewall"] = nil
        now[OwnershipRecord.path] = nil
        #expect(now == expected)
        #expect(try record(copy).playbooks["ocn"]?.steps.contains { $0.id == "https" } == false)
    }

    @Test func noPruneLeavesItAndSaysSo() async throws {
        let copy = try RouterCopy()
        defer { copy.remove() }
        try await apply(try StepBuilder.ocn(), copy)
        let plan = try await plan(
            try ocn(without: ["https"]), copy, OwnershipScope(playbook: "ocn", mode: .playbook(prune: false)))
        #expect(!plan.hasChanges)
        #expect(plan.notices.contains { $0.contains("step 'https'") && $0.contains("left alone (--no-prune)") })
    }

    /// Dependents go first: the redirect and forwarding before the zone they name, the rule before its table.
    @Test func prunesInDependencyOrder() async throws {
        let copy = try RouterCopy()
        defer { copy.remove() }
        try await apply(try StepBuilder.ocn(), copy)
        let plan = try await plan(try ocn(without: ["zone", "fwd", "https", "rule", "pppoe-table", "wanppp"]), copy)
        #expect(
            plan.steps.filter { $0.action == .delete }.map(\.id) == [
                "https", "rule", "fwd", "zone", "wanppp", "pppoe-table",
            ])
    }

    @Test func destroyPutsBackTheBytesFromBeforeTheFirstApply() async throws {
        let copy = try RouterCopy()
        defer { copy.remove() }
        try copy.write(
            "/etc/config/network",
            copy.read("/etc/config/network").replacingOccurrences(
                of: "config interface 'wan'\n", with: "config interface 'wan'\n\toption metric '5'\n"))
        let before = copy.etc()
        try await apply(try StepBuilder.ocn(), copy)
        #expect(copy.read("/etc/config/network").contains("option metric '1'"))
        let graph = try StepGraph([])
        let plan = try await plan(graph, copy, OwnershipScope(playbook: "ocn", mode: .destroy))
        #expect(plan.counts.remove == 9 && plan.counts.change == 1)
        #expect(plan.steps.allSatisfy { $0.summary.allSatisfy { $0.hasSuffix("(destroying playbook 'ocn')") } })
        _ = try await Applier(options: Self.options).apply(plan, to: try LocalDirectoryTarget(root: copy.root))
        #expect(copy.etc() == before)
        #expect(copy.read(OwnershipRecord.path) == "<absent>")
        #expect(
            try await self.plan(try StepBuilder.ocn(), copy).summaryLine == "Plan: 9 to add, 1 to change, 0 to remove.")
    }

    /// An option changed by hand since wrtform set it stays as the user left it.
    @Test func pruningLeavesAnOptionChangedSince() async throws {
        let copy = try RouterCopy()
        defer { copy.remove() }
        try await apply(try StepBuilder.ocn(), copy)
        try copy.write(
            "/etc/config/network",
            copy.read("/etc/config/network").replacingOccurrences(of: "option metric '1'", with: "option metric '7'"))
        let plan = try await plan(try ocn(without: ["wan-metric"]), copy)
        #expect(!plan.files.contains { $0.path == "/etc/config/network" })
        #expect(plan.warnings.contains { $0.contains("metric of interface 'wan' was changed since wrtform set it") })
    }

    /// Two playbooks naming one redirect: a warning naming both; neither prunes what the other still claims.
    @Test func twoPlaybooksClaimingOneResource() async throws {
        let copy = try RouterCopy()
        defer { copy.remove() }
        let https = try StepBuilder.step(
            "https", "redirect", ["src": "wan", "src_dport": "443", "dest_ip": "192.168.1.5"])
        let shared = try StepGraph([StepGraph.Node(step: https)])
        try await apply(shared, copy, OwnershipScope(playbook: "a"))
        let second = try await plan(shared, copy, OwnershipScope(playbook: "b"))
        #expect(
            second.warnings.contains {
                $0.contains("step 'https' of playbook 'b'") && $0.contains("step 'https' of playbook 'a'")
                    && $0.contains("both manage")
            })
        _ = try await Applier(options: Self.options).apply(second, to: try LocalDirectoryTarget(root: copy.root))
        let pruneA = try await plan(try StepGraph([]), copy, OwnershipScope(playbook: "a"))
        #expect(!pruneA.files.contains { $0.path == "/etc/config/firewall" })
        #expect(pruneA.notices.contains { $0.contains("playbook 'b' manages it too") })
    }

    /// A playbook never prunes what only another playbook owns.
    @Test func anotherPlaybookIsNeverPruned() async throws {
        let copy = try RouterCopy()
        defer { copy.remove() }
        try await apply(try StepBuilder.ocn(), copy, OwnershipScope(playbook: "a"))
        let other = try StepGraph([
            StepGraph.Node(step: try StepBuilder.step("m", "interface-options", ["name": "lan", "metric": "3"]))
        ])
        let plan = try await plan(other, copy, OwnershipScope(playbook: "b"))
        #expect(plan.steps.map(\.id) == ["m"])
        #expect(Set(plan.files.map(\.path)) == ["/etc/config/network", OwnershipRecord.path])
    }

    @Test func forgetDropsOwnershipWithoutTouchingConfig() async throws {
        let copy = try RouterCopy()
        defer { copy.remove() }
        try await apply(try StepBuilder.ocn(), copy)
        let applied = copy.etc()
        let target = try LocalDirectoryTarget(root: copy.root)
        let snapshot = try await target.snapshot(paths: [OwnershipRecord.path], run: nil)
        let forget = try OwnershipState.forget("ocn", step: "https", on: snapshot)
        #expect(forget.files.map(\.path) == [OwnershipRecord.path])
        _ = try await Applier(options: Self.options).apply(forget, to: target)
        var now = copy.etc()
        var was = applied
        now[OwnershipRecord.path] = nil
        was[OwnershipRecord.path] = nil
        #expect(now == was)
        // Forgotten: no longer pruned.
        #expect(try await plan(try ocn(without: ["https"]), copy).hasChanges == false)
        #expect(throws: EngineError.self) { try OwnershipState.forget("nope", on: snapshot) }
    }

    @Test func stepsCannotWriteWrtformsOwnFiles() async throws {
        let copy = try RouterCopy()
        defer { copy.remove() }
        let graph = try StepGraph([
            StepGraph.Node(step: try StepBuilder.step("x", "file", ["path": OwnershipRecord.path, "content": "{}"]))
        ])
        let error = try await #require(throws: EngineError.self) { try await self.plan(graph, copy) }
        #expect(error.message.contains("wrtform keeps for itself"))
    }

    func rollback(_ copy: RouterCopy) async throws {
        let target = try LocalDirectoryTarget(root: copy.root)
        let plan = try Rollback().plan(try await target.snapshot(paths: [], run: "last"))
        _ = try await Rollback().apply(plan, with: Applier(options: Self.options), to: target)
    }

    /// The record follows a rollback: the first apply rolled back owns nothing (no record left);
    /// a prune or destroy rolled back owns again what it had removed.
    @Test func rollbackKeepsTheRecordTrue() async throws {
        let copy = try RouterCopy()
        defer { copy.remove() }
        let before = copy.etc()
        try await apply(try StepBuilder.ocn(), copy)
        try await rollback(copy)
        #expect(copy.read(OwnershipRecord.path) == "<absent>")
        #expect(copy.etc() == before)

        try await apply(try StepBuilder.ocn(), copy)
        try await apply(try ocn(without: ["https"]), copy)
        try await rollback(copy)
        #expect(copy.read("/etc/config/firewall").contains("https-server"))
        #expect(try record(copy).playbooks["ocn"]?.steps.contains { $0.id == "https" && $0.created } == true)
        // Owned again, so pruned again.
        #expect(try await plan(try ocn(without: ["https"]), copy).steps.last?.id == "https")

        _ = try await Applier(
            options: ApplyOptions(owner: "t", playbook: "destroy ocn", confirmTimeout: nil, skipVerify: true)
        )
        .apply(
            try await plan(try StepGraph([]), copy, OwnershipScope(playbook: "ocn", mode: .destroy)),
            to: try LocalDirectoryTarget(root: copy.root))
        #expect(copy.read(OwnershipRecord.path) == "<absent>")
        try await rollback(copy)
        let owned = try record(copy).playbooks["ocn"]?.steps.map(\.id) ?? []
        #expect(Set(["https", "zone", "fwd", "wanppp", "rule", "hook", "ddns-secret"]).isSubset(of: Set(owned)))
    }

    /// Config applied before the router had a record is adopted by a record-only plan, as found:
    /// pruning leaves it in place.
    @Test func configFromBeforeTheRecordIsAdoptedAndNotPruned() async throws {
        let copy = try RouterCopy()
        defer { copy.remove() }
        try await apply(try StepBuilder.ocn(), copy, nil)
        let adopt = try await plan(try StepBuilder.ocn(), copy)
        #expect(adopt.files.map(\.path) == [OwnershipRecord.path])
        #expect(adopt.notices.contains { $0.hasPrefix("only the ownership record changes") })
        _ = try await Applier(options: Self.options).apply(adopt, to: try LocalDirectoryTarget(root: copy.root))
        #expect(try record(copy).playbooks["ocn"]?.steps.allSatisfy { !$0.created } == true)
        let prune = try await plan(try ocn(without: ["https"]), copy)
        #expect(!prune.files.contains { $0.path == "/etc/config/firewall" })
        #expect(prune.warnings.contains { $0.hasPrefix("step 'https':") && $0.contains("not recorded") })
    }

    @Test func anUnreadableRecordIsAClearErrorAndNothingIsWritten() async throws {
        let copy = try RouterCopy()
        defer { copy.remove() }
        try copy.write(OwnershipRecord.path, "{not json")
        let error = try await #require(throws: EngineError.self) { try await self.plan(try StepBuilder.ocn(), copy) }
        #expect(error.message == "/etc/wrtform/owners.json on the router is not an ownership record wrtform can read")
        #expect(error.hint?.contains("move it aside") == true)
        #expect(copy.read(OwnershipRecord.path) == "{not json")
    }
}
