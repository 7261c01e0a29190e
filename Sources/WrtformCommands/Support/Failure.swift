import WrtformEngine

/// An error with what the command knew when it failed, so a --json failure keeps its target,
/// run id and status.
struct CommandFailure: Error {
    var underlying: any Error
    var target: String?
    var runID: String?
    var status: String?

    init(_ underlying: any Error, target: String?, runID: String? = nil, status: String? = nil) {
        // Wrapped twice, the inner context wins where it knew more.
        if let inner = underlying as? CommandFailure {
            self.underlying = inner.underlying
            self.target = inner.target ?? target
            self.runID = inner.runID ?? runID
            self.status = inner.status ?? status
        } else {
            self.underlying = underlying
            self.target = target
            self.runID = runID
            self.status = status
        }
    }
}

/// Runs a command body; any error becomes one clear line on stderr (or an error object in --json)
/// and exit code 1.
func reportingErrors<T>(_ printer: Printer, json: JSONReport?, _ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let exit as ExitWith {
        throw exit
    } catch {
        var error = error
        FleetNotes.current?.failed((error as? CommandFailure)?.underlying ?? error)
        if var report = json {
            if let failure = error as? CommandFailure {
                report.target = report.target ?? failure.target
                report.runID = report.runID ?? failure.runID
                report.status = report.status ?? failure.status
                error = failure.underlying
            }
            report.add(error)
            printer.line(report.encoded())
        } else {
            if let failure = error as? CommandFailure { error = failure.underlying }
            if let engine = error as? EngineError {
                printer.error(engine.description)
            } else {
                printer.error("\(error)")
            }
        }
        throw ExitWith(code: WrtformExit.failure)
    }
}
