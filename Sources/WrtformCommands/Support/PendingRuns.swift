import WrtformEngine

/// What confirm and abort share: find the run, report the outcome.
enum PendingRuns {
    static func find(_ runID: String, on router: any RouterTarget) async throws -> RunSummary {
        let snapshot = try await router.snapshot(paths: [], run: nil)
        guard let run = snapshot.runs.first(where: { $0.id == runID }) else {
            throw CommandFailure(
                EngineError(
                    .notFound, "\(router.name) has no run \(runID)",
                    hint: Suggestion.hint(for: runID, in: snapshot.runs.map(\.id)) ?? "see `wrtform history`"),
                target: router.name, runID: runID, status: nil)
        }
        return run
    }

    static func report(
        _ report: JSONReport?, router: any RouterTarget, runID: String, status: String, printer: Printer, text: String
    ) {
        if var report {
            report.target = router.name
            report.runID = runID
            report.status = status
            printer.line(report.encoded())
        } else {
            printer.line(text)
        }
    }
}
