import ArgumentParser
import WrtformEngine

extension Wrtform {
    struct ConfirmCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "confirm",
            abstract: "Keep a run that is waiting for confirmation: stop its watchdog, release the lock.",
            discussion: """
                For a run left pending (wrtform was interrupted, or lost the router after the reload). It runs no checks: you confirm that the router works as it is. `wrtform abort RUN_ID` restores it instead.

                Example:
                  wrtform confirm 20261126T221500Z-042c9 --host 192.168.1.1
                """)

        @Argument(help: "The pending run (see `wrtform history`).") var runID: String
        @OptionGroup var target: TargetOptions
        @OptionGroup var output: OutputOptions
        @Flag(help: "Print one JSON document instead of text.") var json = false

        func run() async throws {
            try await PendingRuns.withRun(runID, command: "confirm", target: target, output: output, json: json) {
                router, run, say in
                switch run.status {
                case .done:
                    say(status: "done", "Run \(runID) is confirmed already: it stands.")
                    return
                case .pending:
                    break
                case .writing:
                    throw CommandFailure(
                        EngineError(
                            .conflict,
                            "run \(runID) was cut off while writing: its files may be a mix, so it cannot be confirmed",
                            hint: "`wrtform abort \(runID)` restores them"),
                        target: router.name, runID: runID, status: run.status.rawValue)
                default:
                    throw CommandFailure(
                        EngineError(
                            .conflict,
                            "run \(runID) is \(run.status.rawValue), not waiting for confirmation: nothing to confirm"),
                        target: router.name, runID: runID, status: run.status.rawValue)
                }
                let outcome = try await router.finish(FinishRequest(runID: runID, checks: [], pollTimeout: 0))
                guard outcome.confirmed else {
                    throw CommandFailure(
                        EngineError(.applyFailed, "run \(runID) was not confirmed", hint: "see `wrtform history`"),
                        target: router.name, runID: runID, status: nil)
                }
                say(
                    status: "done", "Confirmed run \(runID): it stands; its watchdog is stopped and the lock released.",
                    bold: true)
            }
        }
    }
}
