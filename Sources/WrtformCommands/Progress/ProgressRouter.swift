import WrtformEngine

/// A router whose round trips show on the progress line while they last (what, for how long).
/// `TargetConnector` puts it around every router it connects when the console draws progress,
/// so each command has it without asking for it.
struct ProgressRouter: RouterTarget {
    var inner: any RouterTarget
    var display: ProgressDisplay

    var name: String { inner.name }

    private func showing<T>(_ label: String, _ body: () async throws -> T) async throws -> T {
        display.begin(label)
        defer { display.end() }
        return try await body()
    }

    func snapshot(paths: [String], run: String?, probes: [RouterProbe]) async throws -> Snapshot {
        try await showing("reading \(name)") { try await inner.snapshot(paths: paths, run: run, probes: probes) }
    }

    func write(_ transaction: WriteTransaction) async throws -> WriteOutcome {
        try await showing("writing \(transaction.files.count) file(s) as run \(transaction.runID)") {
            try await inner.write(transaction)
        }
    }

    func reload(_ request: ReloadRequest) async throws -> ReloadOutcome {
        let services = request.services.isEmpty ? "nothing" : request.services.joined(separator: ", ")
        return try await showing("reloading \(services)") { try await inner.reload(request) }
    }

    func finish(_ request: FinishRequest) async throws -> FinishOutcome {
        let checks = request.checks.isEmpty ? "" : "verifying \(request.checks.count) check(s), "
        return try await showing("\(checks)confirming run \(request.runID)") { try await inner.finish(request) }
    }

    func restore(runID: String, status: String) async throws {
        try await showing("restoring run \(runID)") { try await inner.restore(runID: runID, status: status) }
    }

    func runCommands(_ request: CommandRequest) async throws -> CommandOutcome {
        try await showing("installing packages and switching services for run \(request.runID)") {
            try await inner.runCommands(request)
        }
    }

    func roundTrips() async -> Int { await inner.roundTrips() }
}
