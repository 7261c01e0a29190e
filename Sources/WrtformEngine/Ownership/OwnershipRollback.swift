import WrtformUCI

/// A rollback undoes a run change by change; the ownership record follows it, so the record keeps
/// saying what the playbook owns: claims the run made on things it created (or options it set
/// from their old values) go, and sections and files the run removed (pruning, destroy) are owned
/// again. Lines it took out and options it put back are not re-claimed: the next apply records them.
enum OwnershipRollback {
    static func reconcile(undoing journal: RunJournal, in state: inout RouterState) throws {
        let current = state.file(OwnershipRecord.path)
        guard state.files[OwnershipRecord.path] != nil,
            journal.files.contains(where: { $0.path == OwnershipRecord.path })
        else { return }
        let previous = try OwnershipRecord.read(current)
        var record = previous
        let name = journal.playbook.hasPrefix("destroy ") ? String(journal.playbook.dropFirst(8)) : journal.playbook
        var owned = record.playbooks[name] ?? OwnedPlaybook()
        let byID = Dictionary(journal.steps.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })

        owned.steps.removeAll { entry in
            guard entry.run == journal.id, let step = byID[entry.id] else { return false }
            if entry.created { return step.changes.contains(where: creates) }
            let replaced = step.changes.flatMap { change -> [OptionChange] in
                if case .setOptions(_, _, let options) = change { return options }
                return []
            }
            return (entry.options ?? []).allSatisfy { option in
                option.beforeKnown && replaced.contains { $0.key == option.key && UCIValue.same($0.old, option.before) }
            }
        }
        for step in journal.steps where !owned.steps.contains(where: { $0.id == step.id }) {
            for change in step.changes {
                var entry: OwnedStep
                switch change {
                case .removeSection(let file, let match, _, _):
                    entry = OwnedStep(id: step.id, kind: step.kind, run: journal.id, file: file, created: true)
                    entry.match = match
                case .writeFile(let path, let old, let new)
                where old.exists && !new.exists && step.kind == StepKind.file.rawValue:
                    entry = OwnedStep(id: step.id, kind: step.kind, run: journal.id, file: path, created: true)
                    entry.hash = old.hash
                    entry.secret = journal.secretFiles.contains(path) ? true : nil
                default:
                    continue
                }
                owned.steps.append(entry)
            }
        }
        record.playbooks[name] = owned.steps.isEmpty ? nil : owned
        guard record != previous else { return }
        state.write(OwnershipRecord.path, try record.fileState(replacing: current))
    }

    private static func creates(_ change: Change) -> Bool {
        switch change {
        case .addSection, .addLine: return true
        case .writeFile(_, let old, _): return !old.exists
        default: return false
        }
    }
}
