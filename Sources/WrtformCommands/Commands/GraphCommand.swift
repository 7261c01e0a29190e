import ArgumentParser
import WrtformEngine

extension Wrtform {
    struct GraphCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "graph",
            abstract: "Print the playbook's step graph as Graphviz DOT (implied links dashed).",
            discussion: "Example:\n  wrtform graph Playbooks/ocn-dualstack-pppoe.yml | dot -Tsvg > graph.svg")

        @OptionGroup var playbook: PlaybookOptions
        @Flag(help: "Print one JSON document (steps in order, edges) instead of DOT.") var json = false

        func run() async throws {
            let console = Console.current
            let printer = Printer(console: console)
            let report = json ? JSONReport(command: "graph") : nil
            try await reportingErrors(printer, json: report) {
                let loaded = try LoadedPlaybook(playbook, resolveSecrets: false, console: console)
                if var report {
                    report.graph = JSONReport.Graph(loaded.graph)
                    printer.line(report.encoded())
                    return
                }
                console.out(loaded.graph.dot)
            }
        }
    }
}
