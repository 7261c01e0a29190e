import ArgumentParser
import WrtformEngine

extension Wrtform {
    struct ApplyCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "apply",
            abstract: "Plan, ask, then write the changes with a journal and a router-side watchdog.",
            discussion: """
                Shows the plan and asks before writing (without --yes it refuses when stdin is not a terminal). \
                The write is one round trip: lock, compare-and-swap against what the plan read, journal, a \
                watchdog on the router, write, reload. Unless wrtform verifies and confirms over a NEW connection \
                within --confirm-timeout seconds, the router restores every file by itself. Package and service \
                steps run in a round trip of their own after the write and before the reload; a failure there \
                restores the files and removes what the run had installed.

                With --plan FILE (saved by `wrtform plan --out FILE`) it applies exactly that plan: secrets come from the environment again, and if any file on the router no longer has the hash the plan read, nothing is written ("changed since the plan was made").

                Examples:
                  wrtform apply Playbooks/ocn-dualstack-pppoe.yml --host 192.168.1.1
                  wrtform apply Playbooks/port-forward.yml --host 192.168.1.1 --yes --json
                  wrtform apply --plan pf.plan --host 192.168.1.1
                """)

        @OptionGroup var playbook: ApplyPlaybookOptions
        @OptionGroup var target: TargetOptions
        @OptionGroup var output: OutputOptions
        @Flag(help: "Leave alone what the playbook owned but no longer names (default: remove it).") var noPrune = false
        @Option(
            help: ArgumentHelp(
                "Apply the plan saved in FILE by `wrtform plan --out FILE`, exactly, or refuse (nothing written) if the router changed since.",
                valueName: "file"))
        var plan: String?
        @Flag(help: "Apply without asking.") var yes = false
        @Flag(help: "Print one JSON document instead of text (needs --yes).") var json = false
        @Flag(help: "Plan over others' uncommitted uci or LuCI changes (staged in /tmp/.uci or an rpcd session).")
        var ignoreStagedChanges = false
        @Flag(
            help:
                "Break the lock of a run that died (never a live run's: one waiting for confirmation, reloading, or under 2 minutes old)."
        )
        var breakLock = false
        @Flag(help: "Both --ignore-staged-changes and --break-lock.") var force = false
        @Option(help: "Seconds the router waits for confirmation before restoring by itself (10-3600).")
        var confirmTimeout: Int = 90
        @Flag(help: "Do not arm the router-side watchdog (not recommended: a change that cuts you off stays).")
        var noWatchdog = false
        @Flag(name: .customLong("no-confirm"), help: .hidden) var noConfirm = false
        @Flag(help: "Skip the post-reload checks.") var skipVerify = false
        @Flag(help: "Show the plan one line per change, without file diffs.") var compact = false
        @Flag(help: "Show new files whole in the plan.") var full = false
        @Flag(help: "Update the package lists (opkg/apk update) before installing, however fresh they are.")
        var refresh = false
        @Option(
            help:
                "Seconds to keep polling post-reload checks and health probes that fail (default: 30, and always 10 s under --confirm-timeout)."
        )
        var verifyTimeout: Int?

        var withoutWatchdog: Bool { noWatchdog || noConfirm }

        /// The default leaves the confirmation 10 s after the checks give up, so `--confirm-timeout 20` alone works.
        var effectiveVerifyTimeout: Int {
            verifyTimeout ?? (withoutWatchdog ? 30 : max(0, min(30, confirmTimeout - 10)))
        }

        func validate() throws {
            if plan == nil && playbook.playbook == nil {
                throw ValidationError(
                    "name the playbook to apply (or --plan FILE, a plan saved by `wrtform plan --out`)")
            }
            if plan != nil && (playbook.shapesThePlan || noPrune) {
                throw ValidationError(
                    "--plan applies the plan as it was made: give --var, --var-file, --step and --no-prune to `wrtform plan --out` instead"
                )
            }
            if json && !yes { throw ValidationError("--json needs --yes (there is no one to ask)") }
            if !(10...3600).contains(confirmTimeout) {
                throw ValidationError("--confirm-timeout must be 10-3600 seconds")
            }
            if let verifyTimeout, verifyTimeout < 0 {
                throw ValidationError("--verify-timeout must be 0 or more seconds")
            }
            if let verifyTimeout, !withoutWatchdog && !skipVerify && verifyTimeout >= confirmTimeout {
                throw ValidationError(
                    "--verify-timeout (\(verifyTimeout) s) must be shorter than --confirm-timeout (\(confirmTimeout) s): the router would restore before the checks could pass"
                )
            }
        }

        func run() async throws {
            let console = Console.current
            let report = json ? JSONReport(command: "apply") : nil
            try await reportingErrors(Printer(console: console), json: report) {
                if let plan {
                    try await applySaved(plan, console: console, report: report)
                    return
                }
                try await PlanSession.run(
                    playbook: try playbook.options(), target: target, output: output,
                    force: force || ignoreStagedChanges, console: console,
                    prune: !noPrune && playbook.steps.isEmpty
                ) { session in
                    try await carryOut(session, console: console, report: report, saved: nil)
                }
            }
        }

        /// Shows the plan, asks, applies. A router changed between plan and write is planned again
        /// (twice at most) — unless the plan is a saved one (`saved`), which is refused instead.
        func carryOut(_ session: PlanSession, console: Console, report: JSONReport?, saved: String?) async throws {
            var report = report
            let printer = session.printer
            var plan = session.plan
            let confirmWithin = withoutWatchdog ? nil : confirmTimeout
            let tracker = RunTracker(routerTime: plan.snapshot.routerTime, confirmTimeout: confirmWithin)
            let routerName = session.router.name
            let interruption = Interruption.install(console: console) {
                tracker.interruptedMessage(router: routerName)
            }
            defer { interruption.remove() }
            var options = ApplyOptions(
                owner: LocalState.owner(console.environment), playbook: session.loaded.playbook.name,
                confirmTimeout: confirmWithin, skipVerify: skipVerify, probes: session.loaded.playbook.probes,
                verifyTimeout: effectiveVerifyTimeout, breakLock: force || breakLock,
                localJournalDirectory: LocalState.directory(console.environment))
            options.refresh = refresh
            let events = TrackingEvents(tracker: tracker, inner: EventPrinter(printer: printer, quiet: json))
            let applier = Applier(options: options, events: events)
            if withoutWatchdog && !json {
                printer.warning("--no-watchdog: if this change cuts you off, the router keeps it")
            }
            for attempt in 1...3 {
                if !json {
                    PlanRenderer(printer: printer, compact: compact, full: full).render(
                        plan, target: session.router.name)
                }
                guard plan.hasChanges else {
                    if var done = report {
                        done.target = session.router.name
                        done.add(plan)
                        done.status = "no-changes"
                        printer.line(done.encoded())
                    } else {
                        printer.line("Nothing to apply: no files written, no services reloaded.")
                    }
                    return
                }
                if !yes {
                    try Confirmation.ask(
                        "Apply \(saved == nil ? "these changes" : "the saved plan") to \(session.router.name)?",
                        action: "apply", printer: printer)
                }
                do {
                    let result = try await applier.apply(plan, to: session.router)
                    if var done = report {
                        done.target = session.router.name
                        done.add(plan)
                        done.runID = result.runID
                        done.status = result.status.rawValue
                        done.checks = result.checks.map {
                            .init(description: $0.description, status: $0.status.rawValue)
                        }
                        printer.line(done.encoded())
                    } else {
                        printer.line(
                            printer.styled(
                                "Applied run \(result.runID ?? "-"): \(result.filesWritten.count) file(s) written, "
                                    + CommandSummary.fragment(plan.commands)
                                    + "\(result.servicesReloaded.isEmpty ? "nothing reloaded" : "reloaded " + result.servicesReloaded.joined(separator: ", ")).",
                                .bold))
                    }
                    return
                } catch let error as EngineError where error.kind == .changedSincePlan && saved != nil {
                    throw CommandFailure(Self.changedSinceSaved(error, router: routerName), target: routerName)
                } catch let error as EngineError where error.kind == .changedSincePlan && attempt < 3 {
                    printer.warning("\(error.message); planning again")
                    plan = try await session.replan(force: force || ignoreStagedChanges)
                    let earlier = report?.warnings ?? []
                    report?.warnings = earlier + [error.message]
                } catch {
                    let (runID, status) = tracker.outcome
                    throw CommandFailure(error, target: session.router.name, runID: runID, status: status)
                }
            }
        }
    }
}
