/// The router over SSH: each operation is one generated busybox-ash script, one exec round trip.
/// `finish` opens a fresh connection, proving the way in still works after a reload.
public actor SSHRouterTarget: RouterTarget {
    public nonisolated let name: String
    private let connect: @Sendable () async throws -> any ScriptRunner
    private var connection: (any ScriptRunner)?
    private var execs = 0
    /// The reload the write round trip already did, for `reload` to report without another exec.
    private var reloadedWithWrite: (runID: String, outcome: Result<ReloadOutcome, any Error>)?
    /// How long one script may run (a reload that hangs must not hang us).
    public var timeout: Duration

    public init(
        name: String, timeout: Duration = .seconds(120),
        connect: @escaping @Sendable () async throws -> any ScriptRunner
    ) {
        self.name = name
        self.timeout = timeout
        self.connect = connect
    }

    public func roundTrips() -> Int { execs }

    public func close() async {
        await connection?.close()
        connection = nil
    }

    /// `atLeast`: a script that polls on the router (the post-reload checks) gets its own polling
    /// time and a margin, whatever the command timeout, so a long --verify-timeout can take effect.
    private func run(
        _ script: String, stdin: [UInt8] = [], fresh: Bool = false, atLeast: Duration? = nil
    ) async throws -> ScriptResult {
        if fresh, let old = connection {
            await old.close()
            connection = nil
        }
        let runner: any ScriptRunner
        if let connection {
            runner = connection
        } else {
            runner = try await connect()
            connection = runner
        }
        execs += 1
        do {
            let limit = atLeast.map { max($0, timeout) } ?? timeout
            return try await runner.run(script, stdin: stdin, timeout: limit)
        } catch {
            // A failed exec may leave the connection unusable: start afresh next time.
            await runner.close()
            connection = nil
            throw error
        }
    }

    private func expectClean(_ result: ScriptResult, _ what: String) throws {
        if result.status != 0 {
            let message =
                String(decoding: result.stderr, as: UTF8.self).trimmingSpaces.split(separator: "\n").first.map(
                    String.init) ?? ""
            throw EngineError(
                .router,
                "\(name): the \(what) script failed (exit \(result.status))\(message.isEmpty ? "" : ": \(message)")")
        }
    }

    public func snapshot(paths: [String], run runID: String?, probes: [RouterProbe]) async throws -> Snapshot {
        if let runID, runID != "last", !Shell.isValidRunID(runID) {
            throw EngineError(.invalidInput, "'\(runID)' is not a run id", hint: "see `wrtform history`")
        }
        let result = try await run(SnapshotScript.make(paths: paths, run: runID, probes: probes))
        try expectClean(result, "snapshot")
        let output = try SnapshotScript.parse(result.stdout, paths: paths, probes: probes)
        var snapshot = output.snapshot
        if let bytes = output.journalBytes {
            snapshot.journal = try RunJournal.decode(bytes, run: output.journalRun)
        }
        return snapshot
    }

    /// Also reloads, in the same round trip, once every file is in place: `reload` then reports
    /// what happened (a failed reload was already undone on the router, as before).
    public func write(_ transaction: WriteTransaction) async throws -> WriteOutcome {
        if let refused = RouterPath.abnormal(transaction) { return .failed(refused) }
        reloadedWithWrite = nil
        // With packages to install, the reload waits for them (package scripts may restart services).
        let reload =
            !transaction.commands.isEmpty || (transaction.services.isEmpty && transaction.watchdogSeconds == nil)
            ? nil
            : ReloadRequest(
                runID: transaction.runID, services: transaction.services, confirmTimeout: transaction.watchdogSeconds)
        let payload = WriteScript.make(transaction, watchdog: transaction.watchdogSeconds, reloading: reload)
        let result = try await run(payload.script, stdin: payload.stdin)
        try expectClean(result, "write")
        if let broken = WriteScript.broken(result.stdout) {
            // Not an outcome to report as such: the Applier settles it like a write it lost sight of.
            throw EngineError(.router, "\(name): writing failed: \(broken)\(Self.reason(result.stderr))")
        }
        let outcome = WriteScript.parse(result.stdout)
        if outcome == .written, reload != nil {
            let output = WriteScript.reloadOutput(result.stdout) ?? []
            reloadedWithWrite = (transaction.runID, Result { try ReloadScript.parse(output) })
        }
        if case .failed(let message) = outcome, !message.contains("no space left") {
            return .failed(message + Self.reason(result.stderr))
        }
        return outcome
    }

    /// Why a command on the router failed, from what it printed: ": no space left on the router"
    /// for a full flash (the usual cause), else its first line of complaint.
    static func reason(_ stderr: [UInt8]) -> String {
        let lines = String(decoding: stderr, as: UTF8.self).split(separator: "\n").map { String($0).trimmingSpaces }
            .filter { !$0.isEmpty }
        if lines.contains(where: { $0.contains("No space left on device") }) { return ": no space left on the router" }
        return lines.first.map { " (\($0))" } ?? ""
    }

    /// Installs can take minutes: the round trip gets the watchdog's install window.
    public func runCommands(_ request: CommandRequest) async throws -> CommandOutcome {
        let result = try await run(CommandScript.make(request), atLeast: .seconds(CommandScript.installWindow))
        try expectClean(result, "package")
        return try CommandScript.parse(result.stdout, manager: request.manager)
    }

    public func reload(_ request: ReloadRequest) async throws -> ReloadOutcome {
        if let done = reloadedWithWrite, done.runID == request.runID {
            reloadedWithWrite = nil
            return try done.outcome.get()
        }
        if request.services.isEmpty && request.confirmTimeout == nil { return .reloaded(revertAt: nil) }
        let result = try await run(ReloadScript.make(request))
        try expectClean(result, "reload")
        return try ReloadScript.parse(result.stdout)
    }

    public func finish(_ request: FinishRequest) async throws -> FinishOutcome {
        let result = try await run(
            FinishScript.make(request), fresh: true, atLeast: .seconds(request.pollTimeout) + .seconds(60))
        try expectClean(result, "verify")
        let (outcome, late) = FinishScript.parse(result.stdout, checks: request.checks)
        if let late {
            throw EngineError(
                .applyFailed,
                "the confirmation came too late: the router's watchdog had already begun restoring run \(request.runID) (status \(late.isEmpty ? "unknown" : late))",
                hint: "a longer --confirm-timeout gives the checks more time")
        }
        return outcome
    }

    /// Throws `.notFound` when the run never replaced a file (nothing to restore) and `.conflict`
    /// when it was confirmed meanwhile (it stands).
    public func restore(runID: String, status: String) async throws {
        let result = try await run(RestoreScript.make(runID: runID, status: status), fresh: true)
        try expectClean(result, "restore")
        let lines = String(decoding: result.stdout, as: UTF8.self).split(separator: "\n").map(String.init)
        if lines.contains("RESTORED") { return }
        if lines.contains("MISSING") || lines.contains("ABORTED") {
            throw EngineError(.notFound, "\(name): run \(runID) replaced no file on the router")
        }
        if lines.contains("DONE") {
            throw EngineError(.conflict, "\(name): run \(runID) was confirmed; it stands")
        }
        let failure = lines.first { $0.hasPrefix("FAILED ") }.map { String($0.dropFirst(7)) } ?? "no answer"
        throw EngineError(.router, "\(name): restoring run \(runID) failed: \(failure)\(Self.reason(result.stderr))")
    }
}
