import WrtformUCI

/// `--adopt`: the imported steps recorded as owned by the playbook, as if it had made them, so a
/// step deleted from the playbook later is pruned from the router. One plan whose only change is
/// the ownership record, applied like any other (journaled, one write round trip).
extension ImportedPlaybook {
    /// The steps as the engine runs them, with the router's own secret values (kept in memory).
    package func graph() throws -> StepGraph {
        try StepGraph(
            steps.map { step in
                let input = StepInput(
                    id: step.id, kind: step.kind.rawValue,
                    fields: ImportInput.fields(
                        step.fields, secrets: secretValues,
                        vars: Dictionary(vars.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })),
                    location: nil, baseDirectory: "/")
                return StepGraph.Node(step: try StepCatalog.make(input))
            })
    }

    /// The plan that writes the ownership record claiming every imported step as created by
    /// playbook `name` (sections, lines and files alike): nothing else on the router changes.
    public func adoptionPlan(on snapshot: Snapshot, force: Bool = false) throws -> Plan {
        let graph = try graph()
        var plan = try Planner(force: force, ownership: OwnershipScope(playbook: name, mode: .playbook(prune: false)))
            .plan(graph, on: snapshot)
        if let changed = plan.files.first(where: { $0.path != OwnershipRecord.path }) {
            throw EngineError(
                .conflict, "the import would change \(changed.path) on the router, so it cannot be adopted as it is",
                hint: "run the import again (the router may have changed meanwhile)")
        }
        let old = snapshot.files[OwnershipRecord.path] ?? .absent
        var record = try OwnershipRecord.read(plan.files.first { $0.path == OwnershipRecord.path }?.new ?? old)
        guard var owned = record.playbooks[name] else { return plan }
        let state = RouterState(files: snapshot.files)
        let stock = Set(steps.filter { $0.note != nil }.map(\.id))
        owned.steps = owned.steps.map { entry in
            var entry = entry
            // A section a fresh router has (lan, wan, the stock zones) is never claimed as made here:
            // deleting its step must not delete the LAN.
            if stock.contains(entry.id) { return entry }
            if let lines = entry.lines {
                entry.added = lines
            } else if entry.match == nil {
                entry.hash = state.file(entry.file).hash
            }
            // A `uci-option` step sets options on a section a fresh router has: it stays an option claim.
            if entry.kind != StepKind.uciOption.rawValue {
                entry.created = true
                entry.options = nil
            }
            return entry
        }
        record.playbooks[name] = owned
        let new = try record.fileState(replacing: old)
        plan.files.removeAll { $0.path == OwnershipRecord.path }
        if new != old {
            plan.files.append(
                OwnershipPlanner.shown(
                    Plan.FileChange(path: OwnershipRecord.path, old: old, new: new, diff: "", isSecret: false)))
        }
        return plan
    }
}
