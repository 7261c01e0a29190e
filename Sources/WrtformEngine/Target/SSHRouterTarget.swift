/// The router over SSH: each operation is one generated busybox-ash script, one exec round trip.
/// `finish` opens a fresh connection, proving the way in still works after a reload.
public actor SSHRouterTarget: RouterTarget {
    public nonisolated let name: String
    private let connect: @Sendable () async throws -> any ScriptRunner
    private var connection: (any ScriptRunner)?
    private var execs = 0
    /// How long one script may run (a reload that hangs must not hang us).
    public var timeout: Duration

    public init(name: String, timeout: Duration = .seconds(120), connect: @escaping @Sendable () async throws -> any ScriptRunner) {
        self.name = name
        self.timeout = timeout
        self.connect = connect
    }

    public func roundTrips() -> Int { execs }

    public func close() async {
        await connection?.close()
        connection = nil
    }

    private func run(_ script: String, stdin: [UInt8] = [], fresh: Bool = false) async throws -> ScriptResult {
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
            return try await runner.run(script, stdin: stdin, timeout: timeout)
        } catch {
            // A failed exec may leave the connection unusable: start afresh next time.
            await runner.close()
            connection = nil
            throw error
        }
    }

    private func expectClean(_ result: ScriptResult, _ what: String) throws {
        if result.status != 0 {
            let message = String(decoding: result.stderr, as: UTF8.self).trimmingSpaces.split(separator: "\n").first.map(String.init) ?? ""
            throw EngineError(.router, "\(name): the \(what) script failed (exit \(result.status))\(message.isEmpty ? "" : ": \(message)")")
        }
    }

    public func snapshot(paths: [String], run runID: String?, probes: [RouterProbe]) async throws -> Snapshot {
        if let runID, runID != "last", !Shell.isValidRunID(runID) {
            throw EngineError(.invalidInput, "'\(runID)' is not a run id", hint: "see `wrtform history`")
        }
        let result = try await run(SnapshotScript.make(paths: paths, run: runID, probes: probes))
        try expectClean(result, "snapshot")
        let output = try SnapshotScript.parse(result.stdout, probes: probes)
        var snapshot = output.snapshot
        if let bytes = output.journalBytes {
            snapshot.journal = try RunJournal.decode(bytes)
        }
        return snapshot
    }

    public func write(_ transaction: WriteTransaction) async throws -> WriteOutcome {
        let payload = WriteScript.make(transaction)
        let result = try await run(payload.script, stdin: payload.stdin)
        try expectClean(result, "write")
        return WriteScript.parse(result.stdout)
    }

    public func reload(_ request: ReloadRequest) async throws -> ReloadOutcome {
        if request.services.isEmpty && request.confirmTimeout == nil { return .reloaded(revertAt: nil) }
        let result = try await run(ReloadScript.make(request))
        try expectClean(result, "reload")
        return ReloadScript.parse(result.stdout)
    }

    public func finish(_ request: FinishRequest) async throws -> FinishOutcome {
        let result = try await run(FinishScript.make(request), fresh: true)
        try expectClean(result, "verify")
        return FinishScript.parse(result.stdout, checks: request.checks)
    }

    public func restore(runID: String, status: String) async throws {
        let result = try await run(RestoreScript.make(runID: runID, status: status), fresh: true)
        try expectClean(result, "restore")
        if !String(decoding: result.stdout, as: UTF8.self).contains("RESTORED") {
            throw EngineError(.router, "\(name): run \(runID) has no journal to restore from")
        }
    }
}
