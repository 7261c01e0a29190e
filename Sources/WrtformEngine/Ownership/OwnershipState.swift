import WrtformUCI

/// Reading and editing the ownership record as `wrtform state` does: what each playbook owns, and
/// forgetting a claim without touching the config it names.
public enum OwnershipState {
    /// The record in a snapshot that read `OwnershipRecord.path`.
    public static func record(in snapshot: Snapshot) throws -> OwnershipRecord {
        try OwnershipRecord.read(snapshot.files[OwnershipRecord.path] ?? .absent)
    }

    /// A plan that only rewrites the record, dropping `playbook` (or just its `step`): the config
    /// stays as it is, so another playbook can adopt it, and a later plan of `playbook` neither
    /// prunes it nor claims it until it is applied again.
    public static func forget(_ playbook: String, step: String? = nil, on snapshot: Snapshot) throws -> Plan {
        let previous = try record(in: snapshot)
        guard var owned = previous.playbooks[playbook] else {
            throw EngineError(
                .notFound, "the router's ownership record has no playbook '\(playbook)'",
                hint: Suggestion.hint(for: playbook, in: previous.playbooks.keys.sorted()) ?? "see `wrtform state`")
        }
        var record = previous
        var steps: [Plan.StepPlan] = []
        if let step {
            guard let entry = owned.steps.first(where: { $0.id == step }) else {
                throw EngineError(
                    .notFound, "playbook '\(playbook)' owns no step '\(step)'",
                    hint: Suggestion.hint(for: step, in: owned.steps.map(\.id)) ?? "see `wrtform state`")
            }
            owned.steps.removeAll { $0.id == step }
            owned.run = OwnershipRecord.thisRun
            record.playbooks[playbook] = owned.steps.isEmpty ? nil : owned
            steps.append(forgotten(entry))
        } else {
            record.playbooks[playbook] = nil
            steps = owned.steps.map(forgotten)
        }
        var initial = RouterState(files: snapshot.files)
        var state = initial
        state.write(OwnershipRecord.path, try record.fileState(replacing: initial.file(OwnershipRecord.path)))
        initial.write(
            OwnershipRecord.path, previous.playbooks.isEmpty ? .absent : snapshot.files[OwnershipRecord.path] ?? .absent
        )
        let files = try Plan.FileChange.between(initial, state, secretKeys: [], secretFiles: []).map(
            OwnershipPlanner.shown)
        return Plan(
            steps: steps, files: files, services: [], warnings: [], postChecks: [], secretKeys: [], secretFiles: [],
            snapshot: snapshot)
    }

    private static func forgotten(_ entry: OwnedStep) -> Plan.StepPlan {
        Plan.StepPlan(
            id: entry.id, kind: StepKind(rawValue: entry.kind) ?? .uciSection, action: .noop, changes: [],
            summary: ["forget \(entry.resourceDescription) (the config stays as it is)"])
    }
}
