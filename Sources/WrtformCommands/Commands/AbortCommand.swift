import ArgumentParser
import WrtformEngine

extension Wrtform {
    struct AbortCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "abort",
            abstract: "Restore a run that is waiting for confirmation now, instead of at its watchdog's deadline.",
            discussion: """
                Puts back every file the run changed from its journal, marks it restored, releases the lock and reloads. A confirmed run is not aborted: undo it with `wrtform rollback RUN_ID`.

                Example:
                  wrtform abort 20261126T221500Z-042c9 --host 192.168.1.1
                """)

        @Argument(help: "The pending run (see `wrtform history`).") var runID: String
        @OptionGroup var target: TargetOptions
        @OptionGroup var output: OutputOptions
        @Flag(help: "Print one JSON document instead of text.") var json = false

        func run() async throws {
            try await PendingRuns.withRun(runID, command: "abort", target: target, output: output, json: json) {
                router, run, say in
                switch run.status {
                case .pending, .writing:
                    break
                case .restored, .reverted, .rolledBack, .aborted:
                    say(
                        status: run.status.rawValue, "Run \(runID) is \(run.status.rawValue) already: nothing to abort."
                    )
                    return
                case .done:
                    throw CommandFailure(
                        EngineError(
                            .conflict, "run \(runID) was confirmed: it stands",
                            hint: "`wrtform rollback \(runID)` undoes it"),
                        target: router.name, runID: runID, status: run.status.rawValue)
                default:
                    throw CommandFailure(
                        EngineError(
                            .conflict,
                            "run \(runID) is \(run.status.rawValue): restoring it could undo changes made since",
                            hint: "`wrtform rollback \(runID) --dry-run` shows what undoing it would change"),
                        target: router.name, runID: runID, status: run.status.rawValue)
                }
                do {
                    try await router.restore(runID: runID, status: RunStatus.restored.rawValue)
                } catch {
                    throw CommandFailure(error, target: router.name, runID: runID, status: nil)
                }
                // The watchdog may have got there first (the restore then finds the run reverted).
                if let after = try? await PendingRuns.find(runID, on: router), after.status != .restored {
                    say(
                        status: after.status.rawValue,
                        "Run \(runID) was \(after.status.rawValue) by the router meanwhile: its files are restored.")
                    return
                }
                say(
                    status: "restored",
                    "Aborted run \(runID): its files are restored, the lock released; services reload in the background.",
                    bold: true)
            }
        }
    }
}
