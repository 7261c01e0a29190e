import ArgumentParser
import Foundation
import WrtformEngine
import WrtformPlaybook

extension Wrtform {
    struct DestroyCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "destroy",
            abstract: "Remove everything a playbook owns on the router.",
            discussion: """
                Plans the removal of what the router's ownership record says PLAYBOOK owns: sections it created \
                go, options it set on sections that were there before go back to their old values, lines and \
                files it added go. Shows the plan, asks (or --yes), then applies it like `apply`: one journaled \
                write with the router-side watchdog, so it can be rolled back. Config the playbook merely \
                matched and never changed is left as it is. PLAYBOOK is the playbook file or its name. \
                Exit status: 0 done or nothing to remove, 1 error.

                Examples:
                  wrtform destroy Playbooks/port-forward.yml --host 192.168.1.1
                  wrtform destroy ocn-dualstack-pppoe --host 192.168.1.1 --yes
                """)

        @Argument(help: "The playbook file, or the playbook's name as `wrtform state` lists it.") var playbook: String
        @OptionGroup var target: TargetOptions
        @Flag(help: "Destroy without asking.") var yes = false
        @Flag(help: "Show the plan; write nothing.") var dryRun = false
        @Flag(help: "Print one JSON document instead of text (needs --yes or --dry-run).") var json = false
        @Flag(help: "Plan over others' uncommitted changes, and break a lock left by a run that died.") var force =
            false
        @Option(help: "Seconds the router waits for confirmation before restoring by itself.") var confirmTimeout: Int =
            90

        func validate() throws {
            if json && !yes && !dryRun {
                throw ValidationError("--json needs --yes or --dry-run (there is no one to ask)")
            }
            if !(10...3600).contains(confirmTimeout) {
                throw ValidationError("--confirm-timeout must be 10-3600 seconds")
            }
        }

        func run() async throws {
            let console = Console.current
            let printer = Printer(console: console)
            var report = json ? JSONReport(command: "destroy") : nil
            try await reportingErrors(printer, json: report) {
                let name = try Self.playbookName(playbook)
                try await TargetConnector.withRouter(target, console: console) { router in
                    let graph = try StepGraph([])
                    let planner = Planner(force: force, ownership: OwnershipScope(playbook: name, mode: .destroy))
                    let snapshot = try await planner.snapshot(of: graph, from: router)
                    guard try OwnershipState.record(in: snapshot).playbooks[name] != nil else {
                        throw EngineError(
                            .notFound,
                            "\(router.name) has no ownership record for playbook '\(name)': it owns nothing there",
                            hint: "see `wrtform state`")
                    }
                    let plan = try planner.plan(graph, on: snapshot)
                    report?.target = router.name
                    report?.add(plan)
                    if !json { PlanRenderer(printer: printer).render(plan, target: router.name) }
                    guard plan.hasChanges, !dryRun else {
                        if var done = report {
                            done.status = dryRun ? "dry-run" : "no-changes"
                            printer.line(done.encoded())
                        }
                        return
                    }
                    if !yes {
                        try Confirmation.ask(
                            "Destroy playbook '\(name)' on \(router.name)?", action: "destroy", printer: printer)
                    }
                    let options = ApplyOptions(
                        owner: LocalState.owner(console.environment), playbook: "destroy \(name)",
                        confirmTimeout: confirmTimeout,
                        breakLock: force, localJournalDirectory: LocalState.directory(console.environment))
                    let result = try await Applier(
                        options: options, events: EventPrinter(printer: printer, quiet: json)
                    )
                    .apply(plan, to: router)
                    if var done = report {
                        done.runID = result.runID
                        done.status = result.status.rawValue
                        printer.line(done.encoded())
                    } else {
                        printer.line(
                            printer.styled(
                                "Destroyed '\(name)' as run \(result.runID ?? "-") (undo: wrtform rollback).", .bold))
                    }
                }
            }
        }

        /// A playbook file's `name`, or the argument itself when no such file exists.
        static func playbookName(_ argument: String) throws -> String {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory), !isDirectory.boolValue
            else {
                return argument
            }
            return try PlaybookLoader().load(path: argument, overrides: [:], secrets: .placeholders).name
        }
    }
}
