import ArgumentParser
import WrtformEngine

extension Wrtform {
    struct GraphCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "graph",
            abstract: "Print the playbook's step graph as Graphviz DOT (implied links dashed).",
            discussion: "Example:\n  wrtform graph Playbooks/ocn-dualstack-pppoe.yml | dot -Tsvg > graph.svg")

        @OptionGroup var playbook: PlaybookOptions

        func run() async throws {
            let console = Console.current
            let printer = Printer(console: console)
            try await reportingErrors(printer, json: nil) {
                let loaded = try LoadedPlaybook(playbook, resolveSecrets: false, console: console)
                console.out(loaded.graph.dot)
            }
        }
    }
}
