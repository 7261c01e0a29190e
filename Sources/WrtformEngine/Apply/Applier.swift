import Foundation

/// Carries out a plan: write (lock, compare-and-swap, journal, watchdog armed, files replaced) →
/// reload → verify and confirm over a new connection. Any failure after the write restores the
/// journal; a round trip whose answer is lost is settled over a fresh connection; a client that
/// vanishes leaves the run to the router's watchdog. So the router ends as it was before or as
/// planned — never a mix.
public struct Applier: Sendable {
    public var options: ApplyOptions
    public var events: any EngineEventConsumer

    public init(options: ApplyOptions, events: any EngineEventConsumer = IgnoreEvents()) {
        self.options = options
        self.events = events
    }

    public func apply(_ plan: Plan, to target: any RouterTarget) async throws -> ApplyResult {
        try await apply(plan, to: target, undoing: nil)
    }

    /// `undoing`: the run a rollback plan undoes (its journal keeps no steps of its own).
    func apply(_ plan: Plan, to target: any RouterTarget, undoing: String?) async throws -> ApplyResult {
        guard plan.hasChanges else { return ApplyResult(runID: nil, status: .done) }
        // Every check on a path (the uci gate, reloads, places refused) assumed its normal form:
        // whatever built this plan, nothing else is written.
        for file in plan.files where !RouterPath.isNormal(file.path) {
            throw EngineError(
                .invalidInput,
                "'\(file.path)' is not a path wrtform writes: not in normal form, or in a place it keeps off",
                hint: "name files by absolute paths without //, . or .. (letters, digits and / . _ - + @)")
        }
        let runID = RunID.make()
        let plan = plan.stamped(runID: runID, time: Int(Date().timeIntervalSince1970))
        let journal = RunJournal(
            id: runID, time: Int(Date().timeIntervalSince1970), playbook: options.playbook, owner: options.owner,
            steps: undoing != nil
                ? []
                : plan.steps.filter { !$0.changes.isEmpty }.map {
                    RunJournal.StepRecord(id: $0.id, kind: $0.kind.rawValue, changes: $0.changes)
                },
            files: plan.files.map { RunJournal.FileRecord(path: $0.path, oldHash: $0.old.hash, newHash: $0.new.hash) },
            services: plan.services, secretKeys: plan.secretKeys.sorted(), secretFiles: plan.secretFiles.sorted())
        var transaction = WriteTransaction(
            runID: runID, owner: options.owner,
            files: plan.files.map { WriteTransaction.File(path: $0.path, expectedHash: $0.old.hash, new: $0.new) },
            journal: try journal.encoded(),
            summary: RunSummaryLine.make(time: journal.time, playbook: options.playbook, files: plan.files.map(\.path)),
            services: plan.services, breakLock: options.breakLock)
        if undoing != nil { transaction.kind = "rollback" }
        transaction.undoing = undoing
        transaction.watchdogSeconds = options.confirmTimeout
        transaction.commands = plan.commands
        try refuseCommands(plan, on: target)
        try await write(transaction, journal: journal, to: target)
        try await runCommands(plan, runID: runID, target: target)
        for step in plan.steps where !step.changes.isEmpty {
            events.handle(.stepWritten(id: step.id, kind: step.kind.rawValue, changes: step.changes.count))
        }
        return try await reloadAndConfirm(
            runID: runID, services: plan.services, checks: options.skipVerify ? [] : plan.postChecks + options.probes,
            files: plan.files.map(\.path), target: target, rolledBackRun: undoing)
    }

    /// Step 1: the write round trip, turned into errors that say what to do. The write arms the
    /// router's watchdog itself (before it replaces anything), so a client that dies right after
    /// it is covered too.
    func write(_ transaction: WriteTransaction, journal: RunJournal, to target: any RouterTarget) async throws {
        events.handle(.phase("writing \(transaction.files.count) file(s) to \(target.name)"))
        let outcome: WriteOutcome
        do {
            outcome = try await target.write(transaction)
        } catch {
            try await settleLostWrite(transaction.runID, target: target, error: error)
        }
        switch outcome {
        case .written:
            events.handle(.wrote(runID: transaction.runID, files: transaction.files.map(\.path)))
            saveLocalJournal(journal, target: target)
        case .locked(let lock):
            let age = lock.since > 0 ? " since \(Self.age(Int(Date().timeIntervalSince1970) - lock.since)) ago" : ""
            let held = "\(target.name) is locked by \(lock.owner) (run \(lock.runID), pid \(lock.pid))\(age)"
            switch lock.live {
            case "watchdog"?:
                throw EngineError(
                    .locked,
                    "\(held), and that run is waiting for confirmation: --force does not break it; nothing was changed",
                    hint: "wait: its watchdog restores it and releases the lock when its confirm timeout ends")
            case "reload"?:
                throw EngineError(
                    .locked,
                    "\(held), and that run is reloading services: --force does not break it; nothing was changed",
                    hint: "wait for the reload to end, then try again")
            case "young"?:
                throw EngineError(
                    .locked,
                    "\(held), and that run may still be going: --force breaks a lock only once it is 2 minutes old; nothing was changed",
                    hint: "try again in a minute or two")
            default:
                throw EngineError(
                    .locked, "\(held); nothing was changed",
                    hint: "wait for that run to finish, or pass --force if it died")
            }
        case .changed(let paths):
            throw EngineError(
                .changedSincePlan,
                "\(paths.joined(separator: ", ")) changed on the router since the plan read it; nothing was changed",
                hint: "plan again")
        case .rejected(let path, let message):
            throw EngineError(
                .applyFailed, "the router's uci rejected the new \(path): \(message); nothing was changed")
        case .failed(let message):
            throw EngineError(.applyFailed, "writing failed: \(message); the router's files were left as they were")
        }
    }

    /// The write round trip broke off (connection lost, timed out): whether the router wrote is
    /// unknown. Ask over a fresh connection, restoring whatever the write did.
    private func settleLostWrite(_ runID: String, target: any RouterTarget, error: any Error) async throws -> Never {
        let what = "the write (and the reload it starts) did not come back (\(error))"
        switch await attempt({ try await target.restore(runID: runID, status: RunStatus.restored.rawValue) }) {
        case .success:
            events.handle(.restored(runID: runID, reason: what))
            throw EngineError(.applyFailed, "\(what); the router's files were restored and it is back where it was")
        case .failure(let settled as EngineError) where settled.kind == .notFound:
            throw EngineError(.applyFailed, "\(what); the router replaced no file, nothing was changed")
        case .failure(let settled):
            let window =
                options.confirmTimeout.map {
                    " If the write went through, the router's watchdog restores the old files by itself within \($0) s of it."
                } ?? ""
            throw EngineError(
                .applyFailed, "\(what), and asking the router again failed (\(settled)).\(window)",
                hint: "check how you reach the router; run `wrtform history` once it answers")
        }
    }

    /// Steps 2 and 3: reload, then verify and confirm; restore on any failure.
    func reloadAndConfirm(
        runID: String, services: [String], checks: [PostCheck], files: [String], target: any RouterTarget,
        rolledBackRun: String?
    ) async throws -> ApplyResult {
        let reload: ReloadOutcome
        do {
            if !services.isEmpty { events.handle(.phase("reloading \(services.joined(separator: ", "))")) }
            reload = try await target.reload(
                ReloadRequest(runID: runID, services: services, confirmTimeout: options.confirmTimeout))
        } catch {
            try await restore(runID, target: target, reason: "the reload did not finish: \(error)")
        }
        var revertAt: Int?
        var reloaded = services
        switch reload {
        case .reloaded(let at):
            revertAt = at
            events.handle(.reloaded(services: services, revertAt: at))
        case .failedAndRestored(let service, let output):
            events.handle(.restored(runID: runID, reason: "reload of \(service) failed"))
            throw EngineError(
                .applyFailed,
                "reload of \(service) failed (\(output)); the router restored its files and is back where it was")
        case .skipped:
            reloaded = []
            events.handle(.reloaded(services: [], revertAt: nil))
        }

        let outcome: FinishOutcome
        do {
            events.handle(.phase(checks.isEmpty ? "confirming" : "verifying \(checks.count) check(s), then confirming"))
            var request = FinishRequest(runID: runID, checks: checks, pollTimeout: options.verifyTimeout)
            request.rolledBackRun = rolledBackRun
            outcome = try await target.finish(request)
        } catch {
            return try await settleLostConfirmation(
                runID, target: target, error: error, revertAt: revertAt, files: files, services: reloaded)
        }
        for result in outcome.results { events.handle(.check(result)) }
        guard outcome.confirmed else {
            let failed = outcome.results.filter { $0.status == .fail }.map(\.description)
            try await restore(runID, target: target, reason: "verify failed: \(failed.joined(separator: "; "))")
        }
        events.handle(.confirmed(runID: runID))
        return ApplyResult(
            runID: runID, status: .done, checks: outcome.results, filesWritten: files, servicesReloaded: reloaded)
    }

    /// Verify-and-confirm broke off, or came too late: the run may be confirmed, waiting, or
    /// restored by the watchdog. One more fresh connection settles it — restoring a run still
    /// waiting, as the watchdog would. If the router cannot be reached, its watchdog restores it.
    private func settleLostConfirmation(
        _ runID: String, target: any RouterTarget, error: any Error, revertAt: Int?, files: [String], services: [String]
    ) async throws -> ApplyResult {
        switch await attempt({ try await target.restore(runID: runID, status: RunStatus.restored.rawValue) }) {
        case .success:
            events.handle(.restored(runID: runID, reason: "\(error)"))
            throw EngineError(
                .applyFailed,
                "could not confirm on \(target.name): \(error); the router's files were restored and it is back where it was"
            )
        case .failure(let settled as EngineError) where settled.kind == .conflict:
            // The confirmation went through; only its answer was lost.
            events.handle(.confirmed(runID: runID))
            return ApplyResult(runID: runID, status: .done, filesWritten: files, servicesReloaded: services)
        case .failure:
            // The checks may have passed and the router confirmed just before we lost it: say so
            // rather than promise a restore that may not come.
            let when =
                revertAt.map {
                    " Unless it confirmed the run just before the connection broke, the router will restore the old files by itself at \(Self.clock($0)) (router time)."
                } ?? ""
            throw EngineError(
                .applyFailed, "could not reach \(target.name) again after the reload: \(error).\(when)",
                hint: "check how you reach the router; `wrtform history` says which it was once it answers")
        }
    }

    func restore(_ runID: String, target: any RouterTarget, reason: String) async throws -> Never {
        do {
            try await target.restore(runID: runID, status: RunStatus.restored.rawValue)
        } catch {
            let window =
                options.confirmTimeout.map { "the router's watchdog restores it by itself within \($0) s; if not, " }
                ?? ""
            throw EngineError(
                .applyFailed, "\(reason); restoring run \(runID) also failed (\(error))",
                hint: "\(window)run `wrtform rollback \(runID)` once the router answers")
        }
        events.handle(.restored(runID: runID, reason: reason))
        throw EngineError(.applyFailed, "\(reason); the router's files were restored and it is back where it was")
    }

    private func attempt(_ body: () async throws -> Void) async -> Result<Void, any Error> {
        do {
            try await body()
            return .success(())
        } catch {
            return .failure(error)
        }
    }

    private func saveLocalJournal(_ journal: RunJournal, target: any RouterTarget) {
        guard let directory = options.localJournalDirectory else { return }
        let folder = URL(fileURLWithPath: directory).appendingPathComponent(
            String(target.name.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" ? $0 : "_" }))
        do {
            try FileManager.default.createDirectory(
                at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let file = folder.appendingPathComponent("\(journal.id).json")
            try Data(try journal.masked().encoded()).write(to: file)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
            events.handle(.savedLocalJournal(path: file.path))
        } catch {
            events.handle(.warning("could not keep a local copy of the journal in \(directory): \(error)"))
        }
    }

    static func age(_ seconds: Int) -> String {
        seconds < 120 ? "\(seconds) s" : seconds < 7200 ? "\(seconds / 60) min" : "\(seconds / 3600) h"
    }

    static func clock(_ epoch: Int) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm:ss"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(epoch))) + " UTC"
    }
}
