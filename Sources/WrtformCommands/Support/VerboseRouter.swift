import Foundation
import WrtformEngine

/// A router that reports each round trip on stderr as it ends: what it was, how many bytes, how long.
/// Sizes and counts only — never a file's content, a command or a secret.
struct VerboseRouter: RouterTarget {
    var inner: any RouterTarget
    var console: Console

    static func wrap(_ router: any RouterTarget, _ options: OutputOptions, console: Console) -> any RouterTarget {
        options.verbose ? VerboseRouter(inner: router, console: console) : router
    }

    var name: String { inner.name }

    private func timed<T>(_ what: String, detail: (T) -> String, body: () async throws -> T) async throws -> T {
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let result = try await body()
            report(what, detail(result), clock.now - start)
            return result
        } catch {
            report(what, "failed", clock.now - start)
            throw error
        }
    }

    private func report(_ what: String, _ detail: String, _ elapsed: Duration) {
        let ms = Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
        console.err("round trip: \(what)\(detail.isEmpty ? "" : ", " + detail) in \(ms) ms\n")
    }

    static func size(_ bytes: Int) -> String {
        bytes < 1024 ? "\(bytes) B" : String(format: "%.1f KB", Double(bytes) / 1024)
    }

    func snapshot(paths: [String], run: String?, probes: [RouterProbe]) async throws -> Snapshot {
        let what =
            "read \(paths.count) file(s)\(run.map { " and run \($0)" } ?? "")"
            + (probes.isEmpty ? "" : " with \(probes.count) probe(s)")
        return try await timed(
            what,
            detail: { snapshot in
                let bytes = snapshot.files.values.reduce(0) { $0 + ($1.content?.count ?? 0) }
                return "got \(Self.size(bytes)) of files, \(snapshot.runs.count) run(s)"
            },
            body: { try await inner.snapshot(paths: paths, run: run, probes: probes) })
    }

    func write(_ transaction: WriteTransaction) async throws -> WriteOutcome {
        let bytes = transaction.files.reduce(transaction.journal.count) { $0 + ($1.new.content?.count ?? 0) }
        return try await timed(
            "write \(transaction.files.count) file(s) as run \(transaction.runID)",
            detail: { _ in "sent \(Self.size(bytes))" },
            body: { try await inner.write(transaction) })
    }

    func reload(_ request: ReloadRequest) async throws -> ReloadOutcome {
        let services = request.services.isEmpty ? "nothing" : request.services.joined(separator: ", ")
        return try await timed("reload \(services)", detail: { _ in "" }, body: { try await inner.reload(request) })
    }

    func finish(_ request: FinishRequest) async throws -> FinishOutcome {
        try await timed(
            "verify \(request.checks.count) check(s) and confirm run \(request.runID) (new connection)",
            detail: { outcome in outcome.confirmed ? "confirmed" : "not confirmed" },
            body: { try await inner.finish(request) })
    }

    func restore(runID: String, status: String) async throws {
        try await timed(
            "restore run \(runID)", detail: { _ in "" }, body: { try await inner.restore(runID: runID, status: status) }
        )
    }

    func runCommands(_ request: CommandRequest) async throws -> CommandOutcome {
        try await timed(
            "run \(request.commands.count) package/service command(s) for run \(request.runID)",
            detail: { outcome in outcome.failure == nil ? "" : "failed" },
            body: { try await inner.runCommands(request) })
    }

    func roundTrips() async -> Int { await inner.roundTrips() }
}
