import ArgumentParser
import Foundation
import WrtformEngine

extension Wrtform {
    struct HistoryCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "history",
            abstract: "List the runs journaled on the router.",
            discussion: """
                Each run: its id, when, the playbook, its status (done, pending confirmation, reverted by the \
                watchdog, restored after a failure, rolled-back) and the files it changed.

                Example:
                  wrtform history --host 192.168.1.1
                """)

        @OptionGroup var target: TargetOptions
        @OptionGroup var output: OutputOptions
        @Option(help: ArgumentHelp("Only the newest N runs.", valueName: "n")) var last: Int?
        @Flag(help: "Print one JSON document instead of text.") var json = false

        func validate() throws {
            if let last, last < 1 { throw ValidationError("--last must be 1 or more") }
        }

        func run() async throws {
            let console = Console.current
            let printer = Printer(console: console)
            let report = json ? JSONReport(command: "history") : nil
            try await reportingErrors(printer, json: report) {
                let (router, snapshot) = try await TargetConnector.withRouter(target, console: console) { connected in
                    let router = VerboseRouter.wrap(connected, output, console: console)
                    return (router, try await router.snapshot(paths: [], run: nil))
                }
                let runs = last.map { Array(snapshot.runs.suffix($0)) } ?? snapshot.runs
                if var report {
                    report.target = router.name
                    report.runs = runs
                    printer.line(report.encoded())
                    return
                }
                if let lock = snapshot.lock { printer.warning("locked by \(lock.owner) (run \(lock.runID))") }
                if runs.isEmpty {
                    printer.line("No runs on \(router.name).")
                    return
                }
                let statusWidth = max(6, runs.map(\.status.rawValue.count).max() ?? 0)
                let idWidth = max(6, runs.map(\.id.count).max() ?? 0)
                let playbookWidth = max(8, runs.map(\.playbook.count).max() ?? 0)
                func row(_ id: String, _ when: String, _ status: String, _ playbook: String, _ files: String) -> String
                {
                    [
                        id.padded(idWidth), when.padded(19), status.padded(statusWidth), playbook.padded(playbookWidth),
                        files,
                    ].joined(
                        separator: "  ")
                }
                printer.line(printer.styled(row("RUN", "WHEN (UTC)", "STATUS", "PLAYBOOK", "FILES"), .bold))
                for run in runs {
                    printer.line(
                        row(
                            run.id, Self.when(run.time), run.status.rawValue, run.playbook,
                            run.files.joined(separator: ", ")))
                }
                for run in runs where run.status == .pending {
                    printer.warning(
                        "run \(run.id) waits for confirmation: `wrtform confirm \(run.id)` keeps it, `wrtform abort \(run.id)` restores it now"
                    )
                }
            }
        }

        static func when(_ epoch: Int) -> String {
            let formatter = DateFormatter()
            formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
            formatter.timeZone = TimeZone(identifier: "UTC")
            return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(epoch)))
        }
    }
}

extension String {
    func padded(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
