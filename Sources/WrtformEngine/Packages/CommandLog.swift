/// The log a run's command round trip left on the router (`$J/actions`: `i|r NAME - STEP`,
/// `s NAME VERB STEP`), read back by rollback's snapshot. It names what the package manager really
/// added or took away, dependencies included — never a package that was there before the run.
enum CommandLog {
    struct Entry: Equatable {
        var step: String
        /// What the run did, as a change.
        var done: Change
        /// What undoing it runs.
        var undo: Change
    }

    static func path(of run: String) -> String { "\(Shell.journal(run))/\(CommandScript.logName)" }

    /// Router input, like the journal: every line must be one the script writes, with names that
    /// pass the steps' own checks, or nothing is acted on.
    static func parse(_ bytes: [UInt8], run: String) throws -> [Entry] {
        func rogue(_ what: String) -> EngineError {
            EngineError(
                .router, "the package log of run \(run) cannot be trusted: \(what); nothing was changed",
                hint: "the journal under /etc/wrtform/runs was edited or damaged; wrtform will not act on it")
        }
        var entries: [Entry] = []
        for (number, line) in String(decoding: bytes, as: UTF8.self).split(separator: "\n").enumerated() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 4, CommandScript.logStepID(fields[3]) == fields[3] else {
                throw rogue("line \(number + 1) is not one wrtform writes")
            }
            switch fields[0] {
            case "i", "r":
                guard PackageStep.isValidName(fields[1]), fields[2] == "-" else {
                    throw rogue("line \(number + 1) does not name a package")
                }
                let install = fields[0] == "i"
                entries.append(
                    Entry(
                        step: fields[3], done: .package(name: fields[1], install: install),
                        undo: .package(name: fields[1], install: !install)))
            case "s":
                guard ServiceStep.isValidName(fields[1]), let verb = ServiceVerb(rawValue: fields[2]) else {
                    throw rogue("line \(number + 1) does not name a service and a verb")
                }
                entries.append(
                    Entry(
                        step: fields[3], done: .service(name: fields[1], verb: verb),
                        undo: .service(name: fields[1], verb: verb.inverse)))
            default:
                throw rogue("line \(number + 1) is not one wrtform writes")
            }
        }
        return entries
    }

    /// Adds to a rollback plan the undoing of what `journal`'s commands did, newest first: a step
    /// per journaled step, holding the changes the run made (shown as their undoing), and the
    /// commands that undo them.
    static func addUndo(of journal: RunJournal, from snapshot: Snapshot, to plan: inout Plan) throws {
        guard let bytes = snapshot.files[path(of: journal.id)]?.content else { return }
        // Read with the packages probe, the snapshot says what is left to undo: a package the run
        // installed that is gone since (or one it removed that is back) is not touched again.
        let installed = PackageDatabase(probe: snapshot.probes[PackageDatabase.probeName])?.installed
        let entries = try parse(bytes, run: journal.id).reversed().filter { entry in
            guard let installed, case .package(let name, let install) = entry.done else { return true }
            return (installed[name] != nil) == install
        }
        guard !entries.isEmpty else { return }
        var order: [String] = []
        var byStep: [String: [Entry]] = [:]
        for entry in entries {
            if byStep[entry.step] == nil { order.append(entry.step) }
            byStep[entry.step, default: []].append(entry)
        }
        let kinds = Dictionary(journal.steps.map { ($0.id, $0.kind) }, uniquingKeysWith: { first, _ in first })
        for id in order {
            let done = (byStep[id] ?? []).map(\.done)
            let kind =
                kinds[id].flatMap(StepKind.init(rawValue:))
                ?? (done.contains { if case .service = $0 { return true } else { return false } } ? .service : .package)
            let undo = (byStep[id] ?? []).map(\.undo)
            plan.steps.removeAll { $0.id == id && $0.changes.isEmpty }
            plan.steps.append(
                Plan.StepPlan(
                    id: id, kind: kind, action: .delete, changes: done,
                    summary: undo.map {
                        ChangeDescription.line(for: $0, secretKeys: [], secretFiles: [])
                            + " (undoing run \(journal.id))"
                    }))
        }
        plan.commands += entries.map(\.undo)
    }
}
