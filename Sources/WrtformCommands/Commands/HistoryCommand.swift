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
        @Flag(help: "Print one JSON document instead of text.") var json = false

        func run() async throws {
            let console = Console.current
            let printer = Printer(console: console)
            let report = json ? JSONReport(command: "history") : nil
            try await reportingErrors(printer, json: report) {
                let (router, snapshot) = try await TargetConnector.withRouter(target, console: console) { router in
                    (router, try await router.snapshot(paths: [], run: nil))
                }
                if var report {
                    report.target = router.name
                    report.runs = snapshot.runs
                    printer.line(report.encoded())
                    return
                }
                if let lock = snapshot.lock { printer.warning("locked by \(lock.owner) (run \(lock.runID))") }
                if snapshot.runs.isEmpty { printer.line("No runs on \(router.name).") }
                let formatter = DateFormatter()
                formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
                formatter.timeZone = TimeZone(identifier: "UTC")
                for run in snapshot.runs {
                    let when = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(run.time)))
                    printer.line("\(run.id)  \(when) UTC  \(run.status.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0))  \(run.playbook)  \(run.files.joined(separator: ", "))")
                }
            }
        }
    }
}
