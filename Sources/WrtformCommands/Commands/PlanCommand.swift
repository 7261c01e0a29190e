import ArgumentParser
import WrtformEngine

extension Wrtform {
    struct PlanCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "plan",
            abstract: "Show the exact changes a playbook would make; write nothing.",
            discussion: """
                Reads the router once (one SSH round trip) and prints, per step, what it would create or change, \
                then each file's diff (secrets masked), the services that would reload, and a summary. \
                Exit status: 0 nothing pending, 2 changes pending, 1 error. With --out FILE the plan is also saved (no secret values in it) for `wrtform apply --plan FILE`, which applies exactly it or refuses a router changed since. The file is authenticated with the plan key (WRTFORM_PLAN_KEY, else ~/.local/state/wrtform/plan.key, made on first use): to apply elsewhere, e.g. in CI, set WRTFORM_PLAN_KEY there to that key.

                Examples:
                  wrtform plan Playbooks/ocn-dualstack-pppoe.yml --host 192.168.1.1
                  wrtform plan Playbooks/port-forward.yml --root ./backup --json
                  wrtform plan Playbooks/port-forward.yml --host 192.168.1.1 --out pf.plan
                """)

        @OptionGroup var playbook: PlaybookOptions
        @OptionGroup var target: TargetOptions
        @OptionGroup var output: OutputOptions
        @Flag(help: "Leave alone what the playbook owned but no longer names (default: remove it).") var noPrune = false
        @Flag(help: "Print one JSON document instead of text.") var json = false
        @Flag(help: "Plan even though someone else has uncommitted uci or LuCI changes on the router.") var force =
            false
        @Flag(help: "One line per change; no file diffs.") var compact = false
        @Flag(help: "Show new files whole (by default one over 40 lines shows its head, size and hash).") var full =
            false
        @Option(
            help: ArgumentHelp(
                "Also save the plan to FILE (mode 0600, no secret values) for `wrtform apply --plan FILE`.",
                valueName: "file"))
        var out: String?

        func run() async throws {
            let console = Console.current
            let report = json ? JSONReport(command: "plan") : nil
            let code = try await reportingErrors(Printer(console: console), json: report) {
                // Before the router is read: a plan that cannot be saved is not worth the round trip.
                if let out {
                    try SavedPlanFile.checkOut(out)
                    // The key too: made here on first use, or a weak or exposed one refused.
                    _ = try SavedPlanFile.key(console.environment, create: true)
                }
                return try await PlanSession.run(
                    playbook: playbook, target: target, output: output, force: force, console: console,
                    prune: !noPrune && playbook.steps.isEmpty
                ) { session in
                    // Saved before anything is printed: a failure is then the one document --json prints.
                    let saved = try out.flatMap {
                        try session.save(to: $0, options: playbook, target: target, force: force, console: console)
                    }
                    if var report {
                        report.target = session.router.name
                        report.add(session.plan)
                        session.printer.line(report.encoded())
                    } else {
                        PlanRenderer(printer: session.printer, compact: compact, full: full).render(
                            session.plan, target: session.router.name)
                        if let saved { session.printer.line(saved) }
                    }
                    return session.plan.hasPendingChanges ? WrtformExit.changesPending : WrtformExit.success
                }
            }
            if code != WrtformExit.success { throw ExitWith(code: code) }
        }
    }
}
