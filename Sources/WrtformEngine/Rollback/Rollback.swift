import WrtformUCI

/// Undoes an earlier run step by step, in reverse, on the router's CURRENT files: it removes the
/// sections the run added and restores the values it changed, so unrelated edits made since are
/// kept. Something the run set that was changed again since is a conflict (--force restores anyway).
public struct Rollback: Sendable {
    public var force: Bool

    /// Runs whose changes no longer stand: rolled back, put back by wrtform or the router, or never written.
    public static let undoneStatuses: Set<RunStatus> = [.rolledBack, .restored, .reverted, .aborted]

    public init(force: Bool = false) {
        self.force = force
    }

    /// The rollback as a plan (diffs, services), from a snapshot that read the run's journal.
    /// A conflict stops it (unless forced): the error names every one.
    public func plan(_ snapshot: Snapshot) throws -> Plan {
        let preview = try preview(snapshot)
        guard preview.conflicts.isEmpty else {
            throw Self.conflictError(preview, runID: snapshot.journal?.id ?? "?")
        }
        return preview.plan
    }

    /// The error a rollback with conflicts stops with.
    public static func conflictError(_ preview: RollbackPreview, runID: String) -> EngineError {
        EngineError(
            .conflict,
            "run \(runID) cannot be rolled back cleanly: \(preview.messages.joined(separator: "; "))",
            hint: "resolve these by hand, or pass --force to restore the run's old values anyway")
    }

    /// The rollback as a plan that keeps every conflict as it is now, and the conflicts: what
    /// `rollback --dry-run` shows. Forced, there are none (the run's old values win).
    public func preview(_ snapshot: Snapshot) throws -> RollbackPreview {
        guard let journal = snapshot.journal else {
            throw EngineError(.notFound, "there is no applied run to roll back", hint: "see `wrtform history`")
        }
        // Undone already (or never in place): what looks like its work now is someone else's — a
        // later run that made the same change — and must not be taken away.
        if let status = snapshot.runs.first(where: { $0.id == journal.id })?.status,
            Self.undoneStatuses.contains(status)
        {
            throw EngineError(
                .conflict, "run \(journal.id) was \(status.rawValue) already: nothing of it is left to undo",
                hint: "to undo a later run that made the same change, roll back that run (see `wrtform history`)")
        }
        try snapshot.refuseIfSomeoneIsMidChange(force: force, overriding: "roll back over them")
        let secretKeys = Set(journal.secretKeys).union(UnifiedDiff.defaultSecretOptions)
        let secretFiles = Set(journal.secretFiles)
        let initial = RouterState(files: snapshot.files)
        var state = initial
        var steps: [Plan.StepPlan] = []
        var conflicts: [RollbackConflict] = []
        var messages: [String] = []
        for step in journal.steps.reversed() {
            var undone: [Change] = []
            for change in step.changes.reversed() {
                switch try change.rollback(in: &state, force: force, secretKeys: secretKeys) {
                case .undone: undone.append(change)
                case .alreadyUndone: break
                case .conflict(let message, let details, let part):
                    messages.append("step '\(step.id)': \(message)")
                    conflicts += details.map { Self.located($0, step: step.id, secretFiles: secretFiles) }
                    if let part { undone.append(part) }
                }
            }
            steps.append(
                Plan.StepPlan(
                    id: step.id, kind: StepKind(rawValue: step.kind) ?? .uciSection,
                    action: undone.isEmpty ? .noop : .delete,
                    changes: undone,
                    summary: undone.map {
                        "undo " + ChangeDescription.line(for: $0, secretKeys: secretKeys, secretFiles: secretFiles)
                    }))
        }
        try OwnershipRollback.reconcile(undoing: journal, in: &state)
        // A file the run created goes away again, rather than stay behind empty (or holding only
        // what the run wrote): absent stays absent.
        for record in journal.files where record.oldHash == FileState.absent.hash && state.file(record.path).exists {
            let now = state.file(record.path)
            if now.content?.isEmpty == true || initial.file(record.path).hash == record.newHash {
                state.write(record.path, .absent)
            }
        }
        let files = try Plan.FileChange.between(initial, state, secretKeys: secretKeys, secretFiles: secretFiles)
            .map(OwnershipPlanner.shown)
        var plan = Plan(
            steps: steps, files: files, services: Services.toReload(for: files.map(\.path)), warnings: [],
            postChecks: [],
            secretKeys: secretKeys, secretFiles: secretFiles, snapshot: snapshot)
        try CommandLog.addUndo(of: journal, from: snapshot, to: &plan)
        return RollbackPreview(plan: plan, conflicts: conflicts, messages: messages)
    }

    /// A conflict with its step, and a secret file's hashes masked.
    static func located(_ conflict: RollbackConflict, step: String, secretFiles: Set<String>) -> RollbackConflict {
        var conflict = conflict
        conflict.step = step
        if conflict.reason == .fileChanged, secretFiles.contains(conflict.file) {
            conflict.expected = conflict.expected.map { _ in .single("(secret)") }
            conflict.found = conflict.found.map { _ in .single("(secret)") }
        }
        return conflict
    }

    /// Writes the rollback like an apply (lock, compare-and-swap, journal, reload, confirm) and marks
    /// the undone run rolled-back.
    public func apply(_ plan: Plan, with applier: Applier, to target: any RouterTarget) async throws -> ApplyResult {
        guard let journal = plan.snapshot.journal else {
            throw EngineError(.notFound, "there is no applied run to roll back", hint: "see `wrtform history`")
        }
        var applier = applier
        applier.options.playbook = "rollback of \(journal.id)"
        return try await applier.apply(plan, to: target, undoing: journal.id)
    }
}
