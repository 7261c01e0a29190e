import WrtformUCI

/// The ownership half of a plan: works out what each step of the playbook owns after this run,
/// plans the removal of what the playbook owned but no longer names (pruning), and puts the
/// updated record into the files the plan writes — all on the one snapshot, with no extra read.
struct OwnershipPlanner {
    struct Outcome {
        var warnings: [String] = []
        var notices: [String] = []
    }

    var scope: OwnershipScope
    var previous: OwnershipRecord

    init(scope: OwnershipScope, initial: RouterState) throws {
        self.scope = scope
        previous = try OwnershipRecord.read(initial.file(OwnershipRecord.path))
    }

    /// Steps must not write wrtform's own bookkeeping: the record, or the run journals.
    static func refuseReservedPaths(_ graph: StepGraph) throws {
        for step in graph.ordered {
            for file in step.files
            where file == OwnershipRecord.path || file.hasPrefix(Shell.runs + "/") || file == Shell.runs {
                throw EngineError(
                    .invalidInput, "step '\(step.id)' would write \(file), which wrtform keeps for itself",
                    at: step.location,
                    hint:
                        "choose another path; /etc/wrtform/owners.json and /etc/wrtform/runs/ hold ownership and journals"
                )
            }
        }
    }

    func extend(
        _ graph: StepGraph, steps: inout [Plan.StepPlan], initial: RouterState, state: inout RouterState,
        secretKeys: Set<String>, secretFiles: Set<String>
    ) throws -> Outcome {
        try Self.refuseReservedPaths(graph)
        var outcome = Outcome()
        let mine = previous.playbooks[scope.playbook] ?? OwnedPlaybook()
        let earlier = Dictionary(mine.steps.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let byID = Dictionary(graph.ordered.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })

        var entries: [OwnedStep] = []
        var candidates: [OwnedStep] = []
        // Packages and services are not owned: a removed package step uninstalls nothing (rollback does).
        for (step, plan) in zip(graph.ordered, steps) where !(step is AbsentStep) && !CommandRound.isCommandStep(step) {
            let before = earlier[step.id]
            var entry = try OwnedStepBuilder(step: step, initial: initial).entry(
                changes: plan.changes, previous: before)
            if plan.changes.isEmpty == false { entry.run = OwnershipRecord.thisRun }
            // The step now names something else: what it created before is pruned like a removed step.
            if let before, Set(before.identityClaims).isDisjoint(with: entry.identityClaims) {
                candidates.append(before)
            }
            entries.append(entry)
        }
        for old in mine.steps where byID[old.id] == nil { candidates.append(old) }

        let current = Set(entries.flatMap(\.identityClaims))
        let others = previous.playbooks.filter { $0.key != scope.playbook }
        var kept: [OwnedStep] = []
        for candidate in candidates.reversed() {
            // Claimed again under another step id: moved, not gone.
            if !current.isDisjoint(with: candidate.identityClaims) { continue }
            if let other = others.sorted(by: { $0.key < $1.key }).first(where: {
                !Set($0.value.steps.flatMap(\.identityClaims)).isDisjoint(with: candidate.identityClaims)
            }) {
                outcome.notices.append(
                    "step '\(candidate.id)' (\(candidate.resourceDescription)) is \(scope.reason), but playbook '\(other.key)' manages it too: left alone"
                )
                continue
            }
            guard scope.prunes else {
                outcome.notices.append(
                    "step '\(candidate.id)' (\(candidate.resourceDescription)) is \(scope.reason): left alone (--no-prune)"
                )
                kept.insert(candidate, at: 0)
                continue
            }
            let removal = try Pruning(entry: candidate).changes(in: &state)
            outcome.warnings += removal.warnings
            guard !removal.changes.isEmpty else { continue }
            for change in removal.changes { try change.apply(to: &state) }
            let keys = secretKeys.union(candidate.secretKeys ?? [])
            let files = candidate.secret == true ? secretFiles.union([candidate.file]) : secretFiles
            steps.append(
                Plan.StepPlan(
                    id: candidate.id, kind: StepKind(rawValue: candidate.kind) ?? .uciSection, action: removal.action,
                    changes: removal.changes,
                    summary: removal.changes.map {
                        ChangeDescription.line(for: $0, secretKeys: keys, secretFiles: files) + " (\(scope.reason))"
                    }))
        }

        for entry in entries {
            for (name, playbook) in others.sorted(by: { $0.key < $1.key }) {
                guard let theirs = playbook.steps.first(where: { Self.overlap($0, entry) }) else { continue }
                let what =
                    entry.identityClaims.first { theirs.identityClaims.contains($0) } ?? entry.resourceDescription
                outcome.warnings.append(
                    "step '\(entry.id)' of playbook '\(scope.playbook)' and step '\(theirs.id)' of playbook '\(name)' both manage \(what)"
                )
            }
        }

        var record = previous
        var updated = OwnedPlaybook(run: mine.run, time: mine.time, steps: entries + kept)
        // Same claims, only in another order (a kept step moves to the end): nothing to write.
        if updated.steps.count == mine.steps.count, updated.steps.allSatisfy(mine.steps.contains) {
            updated.steps = mine.steps
        }
        if updated.steps != mine.steps || steps.contains(where: { !$0.changes.isEmpty }) {
            updated.run = OwnershipRecord.thisRun
        }
        record.playbooks[scope.playbook] = updated.steps.isEmpty ? nil : updated
        if record != previous {
            if !steps.contains(where: { !$0.changes.isEmpty }) {
                outcome.notices.append(
                    "only the ownership record changes: playbook '\(scope.playbook)' now records \(updated.steps.count) step(s) it manages"
                )
            }
            state.write(OwnershipRecord.path, try record.fileState(replacing: initial.file(OwnershipRecord.path)))
        }
        return outcome
    }
}

extension Plan {
    /// The plan with the run's id written into the ownership record (the id is made at apply time).
    func stamped(runID: String, time: Int) -> Plan {
        guard let index = files.firstIndex(where: { $0.path == OwnershipRecord.path }),
            files[index].new.exists,
            let record = try? OwnershipRecord.read(files[index].new),
            let bytes = try? record.stamped(runID: runID, time: time).encoded()
        else { return self }
        var copy = self
        copy.files[index].new.content = bytes
        return copy
    }
}

extension OwnershipPlanner {
    /// Two claims on one thing: the same section, file or line — where both only set options on a
    /// section that was there before, only when they set the same option.
    static func overlap(_ a: OwnedStep, _ b: OwnedStep) -> Bool {
        guard !Set(a.identityClaims).isDisjoint(with: b.identityClaims) else { return false }
        if a.created || b.created || a.match == nil { return true }
        return !Set((a.options ?? []).map(\.key)).isDisjoint(with: (b.options ?? []).map(\.key))
    }

    /// The record's change as one line, not a JSON diff: what it says is in the plan's steps already.
    static func shown(_ change: Plan.FileChange) -> Plan.FileChange {
        guard change.path == OwnershipRecord.path else { return change }
        var change = change
        let record = (try? OwnershipRecord.read(change.new)) ?? OwnershipRecord()
        let owners = record.playbooks.keys.sorted().map {
            "'\($0)' (\(record.playbooks[$0]?.steps.count ?? 0) step(s))"
        }
        change.diff =
            "--- \(change.path)\n+++ \(change.path)\n(ownership record: "
            + (owners.isEmpty ? "no playbook owns anything" : owners.joined(separator: ", ")) + ")\n"
        return change
    }
}
