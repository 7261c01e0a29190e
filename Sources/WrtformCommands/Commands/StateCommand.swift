import ArgumentParser
import Foundation
import WrtformEngine

extension Wrtform {
    struct StateCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "state",
            abstract: "Show what each playbook owns on the router.",
            discussion: """
                Reads the router's ownership record (/etc/wrtform/owners.json) in one round trip: per playbook, each \
                step it owns — what it matches and whether wrtform created it or only set options on it — and the \
                run that last changed it.

                Examples:
                  wrtform state --host 192.168.1.1
                  wrtform state forget ocn-dualstack-pppoe forward-443 --host 192.168.1.1 --yes
                """,
            subcommands: [Show.self, Forget.self], defaultSubcommand: Show.self)

        struct Show: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "show", abstract: "List what each playbook owns (the default).")

            @OptionGroup var target: TargetOptions
            @Flag(help: "Print one JSON document instead of text.") var json = false

            func run() async throws {
                let console = Console.current
                let printer = Printer(console: console)
                try await reportingErrors(printer, json: json ? JSONReport(command: "state") : nil) {
                    let (name, record) = try await TargetConnector.withRouter(target, console: console) { router in
                        (
                            router.name,
                            try OwnershipState.record(
                                in: try await router.snapshot(paths: [OwnershipRecord.path], run: nil))
                        )
                    }
                    if json {
                        printer.line(StateReport(target: name, playbooks: record.playbooks).encoded())
                        return
                    }
                    if record.playbooks.isEmpty { printer.line("No playbook owns anything on \(name).") }
                    for (playbook, owned) in record.playbooks.sorted(by: { $0.key < $1.key }) {
                        printer.line(printer.styled("\(playbook)  (last run \(owned.run ?? "-"))", .bold))
                        for step in owned.steps {
                            let how =
                                step.lines != nil
                                ? "added" : step.created ? "created" : step.match != nil ? "set" : "manages"
                            printer.line(
                                "  \(step.id) (\(step.kind)): \(how) \(step.resourceDescription)  [run \(step.run ?? "-")]"
                            )
                        }
                    }
                }
            }
        }

        struct Forget: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "forget",
                abstract: "Drop a playbook's ownership (or one step's) without touching config.",
                discussion: """
                    The config stays on the router; the playbook no longer prunes or destroys it, so another playbook \
                    can adopt it. Written like an apply (journaled, watchdog-guarded).
                    """)

            @Argument(help: "The playbook's name, as `wrtform state` lists it.") var playbook: String
            @Argument(help: "Only this step of it.") var step: String?
            @OptionGroup var target: TargetOptions
            @Flag(help: "Forget without asking.") var yes = false

            func run() async throws {
                let console = Console.current
                let printer = Printer(console: console)
                try await reportingErrors(printer, json: nil) {
                    try await TargetConnector.withRouter(target, console: console) { router in
                        let snapshot = try await router.snapshot(paths: [OwnershipRecord.path], run: nil)
                        let plan = try OwnershipState.forget(playbook, step: step, on: snapshot)
                        for entry in plan.steps { for line in entry.summary { printer.line("\(entry.id): \(line)") } }
                        if !yes {
                            try Confirmation.ask("Forget these on \(router.name)?", action: "forget", printer: printer)
                        }
                        let options = ApplyOptions(
                            owner: LocalState.owner(console.environment), playbook: "forget \(playbook)",
                            localJournalDirectory: LocalState.directory(console.environment))
                        let result = try await Applier(
                            options: options, events: EventPrinter(printer: printer, quiet: false)
                        )
                        .apply(plan, to: router)
                        printer.line(
                            "Forgot \(step.map { "step '\($0)' of " } ?? "")'\(playbook)' (run \(result.runID ?? "-")); no config changed."
                        )
                    }
                }
            }
        }
    }
}

/// `wrtform state --json`: the record as the router keeps it.
struct StateReport: Encodable {
    var format = 1
    var command = "state"
    var target: String
    var playbooks: [String: OwnedPlaybook]

    func encoded() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else {
            return "{\"format\": 1, \"error\": {\"message\": \"could not encode\"}}"
        }
        return String(decoding: data, as: UTF8.self)
    }
}
