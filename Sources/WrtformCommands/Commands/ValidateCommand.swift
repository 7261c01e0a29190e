import ArgumentParser
import WrtformEngine

extension Wrtform {
    struct ValidateCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "validate",
            abstract: "Check a playbook offline: syntax, step fields, references between steps. No router, no secrets.",
            discussion: "Example:\n  wrtform validate Playbooks/ocn-dualstack-pppoe.yml")

        @OptionGroup var playbook: PlaybookOptions
        @Flag(help: "Print one JSON document instead of text.") var json = false
        @Option(
            help:
                "An inventory: check the playbook with its host's vars and secret names (selecting several hosts checks each, as wrtform fleet does)."
        )
        var inventory: String?
        @Option(help: "The inventory's host: a name, or a group or glob selecting one.") var limit: String?

        func validate() throws {
            if limit != nil && inventory == nil {
                throw ValidationError("--limit picks hosts of an inventory: give --inventory FILE too")
            }
        }

        func run() async throws {
            let console = Console.current
            let printer = Printer(console: console)
            let report = json ? JSONReport(command: "validate") : nil
            try await reportingErrors(printer, json: report) {
                let loaded = try LoadedPlaybook(
                    playbook, resolveSecrets: false, console: console,
                    inventory: try InventoryTarget.values(file: inventory, limit: limit))
                if var report {
                    report.status = "ok"
                    report.graph = JSONReport.Graph(loaded.graph)
                    printer.line(report.encoded())
                    return
                }
                let steps = loaded.graph.ordered
                let count = steps.count == 1 ? "1 step" : "\(steps.count) steps"
                printer.line("\(playbook.playbook): ok (\(count): \(steps.map(\.id).joined(separator: " → ")))")
            }
        }
    }
}
