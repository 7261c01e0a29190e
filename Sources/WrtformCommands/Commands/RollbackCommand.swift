import ArgumentParser
import WrtformEngine

extension Wrtform {
    struct RollbackCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rollback",
            abstract: "Undo an earlier apply, keeping edits made since.",
            discussion: """
                Undoes the last apply run (or RUN_ID) step by step, in reverse: removes the sections it added and \
                restores the values it changed. A value changed again since is a conflict: wrtform stops and shows \
                it (--force restores the run's old value anyway); --dry-run shows the undo diff with each conflict \
                marked ! where it is, and exits 1 when there is one. Rolling back twice does nothing the second time: \
                the last run stays the last run once undone; name an older one to undo it too.

                Examples:
                  wrtform rollback --host 192.168.1.1 --dry-run
                  wrtform rollback 20261126T221500Z-042c9 --host 192.168.1.1 --yes
                """)

        @Argument(help: "The run to undo (see `wrtform history`); default: the last apply run.") var runID: String?
        @OptionGroup var target: TargetOptions
        @OptionGroup var output: OutputOptions
        @Flag(help: "Roll back without asking.") var yes = false
        @Flag(help: "Show the rollback's diff; write nothing.") var dryRun = false
        @Flag(
            help:
                "Conflicts: restore the run's old values even where they were changed since (this --force breaks no lock)."
        )
        var force = false
        @Flag(help: "Print one JSON document instead of text (needs --yes, or --dry-run).") var json = false
        @Option(help: "Seconds the router waits for confirmation before restoring by itself.") var confirmTimeout: Int =
            90

        func validate() throws {
            if !(10...3600).contains(confirmTimeout) {
                throw ValidationError("--confirm-timeout must be 10-3600 seconds")
            }
            if json && !yes && !dryRun {
                throw ValidationError("--json needs --yes or --dry-run (there is no one to ask)")
            }
        }

        func run() async throws {
            let console = Console.current
            let printer = Printer(console: console)
            let report = json ? JSONReport(command: "rollback") : nil
            try await reportingErrors(printer, json: report) {
                try await TargetConnector.withRouter(target, console: console) { connected in
                    let router = VerboseRouter.wrap(connected, output, console: console)
                    let tracker = RunTracker(routerTime: nil, confirmTimeout: confirmTimeout)
                    do {
                        try await rollback(router, printer: printer, console: console, report: report, tracker: tracker)
                    } catch let exit as ExitWith {
                        throw exit
                    } catch {
                        let (written, status) = tracker.outcome
                        throw CommandFailure(error, target: router.name, runID: written ?? runID, status: status)
                    }
                }
            }
        }

        private func rollback(
            _ router: any RouterTarget, printer: Printer, console: Console, report: JSONReport?, tracker: RunTracker
        ) async throws {
            let snapshot = try await router.snapshot(
                paths: [], run: runID ?? "last", probes: [CommandRound.packagesProbe])
            try PlanSession.refusePendingRun(snapshot, router: router)
            guard snapshot.journal != nil else {
                if let runID {
                    throw EngineError(.notFound, "\(router.name) has no run \(runID)", hint: "see `wrtform history`")
                }
                if var report {
                    report.status = "nothing-to-roll-back"
                    printer.line(report.encoded())
                } else {
                    printer.line("Nothing to roll back: no applied run is left on \(router.name).")
                }
                return
            }
            if runID == nil, let last = snapshot.journal?.id,
                let status = snapshot.runs.first(where: { $0.id == last })?.status,
                [.rolledBack, .restored, .reverted].contains(status)
            {
                if var report {
                    report.status = "nothing-to-roll-back"
                    printer.line(report.encoded())
                } else {
                    printer.line(
                        "Nothing to roll back: the last run, \(last), was \(status.rawValue) already. To undo an older run, name it (see `wrtform history`)."
                    )
                }
                return
            }
            let preview = try Rollback(force: force).preview(snapshot)
            let undone = snapshot.journal?.id ?? "?"
            // Conflicts stop a rollback; a dry run shows them in place and fails as the rollback would.
            if !preview.conflicts.isEmpty && !dryRun { throw Rollback.conflictError(preview, runID: undone) }
            let plan = UndoDescription.steps(of: preview, runID: undone)
            if !json, let journal = snapshot.journal {
                printer.line(
                    printer.styled(
                        "Rolling back run \(journal.id) (playbook \(journal.playbook), applied \(HistoryCommand.when(journal.time)) UTC by \(journal.owner))",
                        .bold))
            }
            if !json { PlanRenderer(printer: printer).render(plan, target: router.name) }
            if !preview.conflicts.isEmpty {
                try refuse(preview, undone: undone, target: router.name, report: report, printer: printer)
            }
            guard plan.hasChanges, !dryRun else {
                if var report {
                    report.add(plan)
                    report.status = dryRun ? "dry-run" : "nothing-to-roll-back"
                    printer.line(report.encoded())
                } else if !plan.hasChanges {
                    printer.line("Nothing to roll back: the run's changes are already undone.")
                }
                return
            }
            if !yes {
                try Confirmation.ask(
                    "Roll back these changes on \(router.name)?", action: "roll back", printer: printer)
            }
            let options = ApplyOptions(
                owner: LocalState.owner(console.environment), playbook: "rollback", confirmTimeout: confirmTimeout,
                localJournalDirectory: LocalState.directory(console.environment))
            let interruption = Interruption.install(console: console) {
                tracker.interruptedMessage(router: router.name)
            }
            defer { interruption.remove() }
            let events = TrackingEvents(tracker: tracker, inner: EventPrinter(printer: printer, quiet: json))
            let result = try await Rollback(force: force).apply(
                plan, with: Applier(options: options, events: events), to: router)
            if var report {
                report.add(plan)
                report.runID = result.runID
                report.status = result.status.rawValue
                printer.line(report.encoded())
            } else {
                printer.line(
                    printer.styled(
                        "Rolled back run \(snapshot.journal?.id ?? "?") (as run \(result.runID ?? "-")).", .bold))
            }
        }

        /// A dry run's conflicts: exit 1 (a rollback would stop), after the marked diff or with the
        /// conflicts as objects in the JSON document.
        private func refuse(
            _ preview: RollbackPreview, undone: String, target: String, report: JSONReport?, printer: Printer
        ) throws {
            let count = preview.conflicts.count
            let error = EngineError(
                .conflict,
                "run \(undone) cannot be rolled back cleanly: \(count) conflict\(count == 1 ? "" : "s")"
                    + (report == nil ? " (marked ! above)" : ""),
                hint: "resolve them by hand, or pass --force to restore the run's old values anyway")
            guard var report else { throw error }
            report.target = target
            report.add(UndoDescription.steps(of: preview.plan))
            report.conflicts = preview.conflicts.map(JSONReport.Conflict.init)
            report.status = "conflict"
            report.add(error)
            printer.line(report.encoded())
            throw ExitWith(code: WrtformExit.failure)
        }
    }
}
