import WrtformEngine

/// Runs a command body; any error becomes one clear line on stderr (or an error object in --json)
/// and exit code 1.
func reportingErrors<T>(_ printer: Printer, json: JSONReport?, _ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let exit as ExitWith {
        throw exit
    } catch {
        if var report = json {
            report.add(error)
            printer.line(report.encoded())
        } else if let engine = error as? EngineError {
            printer.error(engine.description)
        } else {
            printer.error("\(error)")
        }
        throw ExitWith(code: WrtformExit.failure)
    }
}
