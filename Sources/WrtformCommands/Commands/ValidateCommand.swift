import ArgumentParser
import WrtformEngine

extension Wrtform {
    struct ValidateCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "validate",
            abstract: "Check a playbook offline: syntax, step fields, references between steps. No router, no secrets.",
            discussion: "Example:\n  wrtform validate Playbooks/ocn-dualstack-pppoe.yml")

        @OptionGroup var playbook: PlaybookOptions

        func run() async throws {
            let console = Console.current
            let printer = Printer(console: console)
            try await reportingErrors(printer, json: nil) {
                let loaded = try LoadedPlaybook(playbook, resolveSecrets: false, console: console)
                printer.line("\(playbook.playbook): ok (\(loaded.graph.ordered.count) steps: \(loaded.graph.ordered.map(\.id).joined(separator: " → ")))")
            }
        }
    }
}
