import WrtformEngine

/// What confirm and abort share: connect, find the run, report the outcome.
enum PendingRuns {
    /// One round trip finds `runID` on the target; `body` decides, and reports through `say`.
    static func withRun(
        _ runID: String, command: String, target: TargetOptions, output: OutputOptions, json: Bool,
        _ body: (_ router: any RouterTarget, _ run: RunSummary, _ say: Say) async throws -> Void
    ) async throws {
        let console = Console.current
        let printer = Printer(console: console)
        let report = json ? JSONReport(command: command) : nil
        try await reportingErrors(printer, json: report) {
            try await TargetConnector.withRouter(target, console: console) { connected in
                let router = VerboseRouter.wrap(connected, output, console: console)
                let run = try await find(runID, on: router)
                try await body(router, run, Say(report: report, router: router, runID: runID, printer: printer))
            }
        }
    }

    /// The outcome as one JSON document or one line of text.
    struct Say {
        var report: JSONReport?
        var router: any RouterTarget
        var runID: String
        var printer: Printer

        func callAsFunction(status: String, _ text: String, bold: Bool = false) {
            PendingRuns.report(
                report, router: router, runID: runID, status: status, printer: printer,
                text: bold ? printer.styled(text, .bold) : text)
        }
    }

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
