/// The command round trip of an apply: packages and services, after the write and before the reload.
extension Applier {
    /// Before anything is written: a target that cannot run commands (a directory) gets none.
    func refuseCommands(_ plan: Plan, on target: any RouterTarget) throws {
        guard !plan.commands.isEmpty, target is LocalDirectoryTarget else { return }
        throw EngineError(
            .unsupported, "\(target.name) is a directory: packages cannot be installed nor services switched there",
            hint: "list packages in Image Builder's PACKAGES, or apply the playbook to the running router")
    }

    /// Runs the plan's commands for the written run `runID`. A failure restores the run — its files
    /// and whatever the commands had done (the restore script undoes the router's log) — and says
    /// in one line what failed and what had been installed before it.
    func runCommands(_ plan: Plan, runID: String, target: any RouterTarget) async throws {
        guard !plan.commands.isEmpty else { return }
        var stepIDs: [String] = []
        for step in plan.steps { for change in step.changes where change.isCommand { stepIDs.append(step.id) } }
        var request = CommandRequest(
            runID: runID, commands: plan.commands, refresh: options.refresh, stepIDs: stepIDs)
        request.manager = CommandRound.packages(in: plan.snapshot)?.manager ?? plan.snapshot.facts.packageManager
        request.confirmTimeout = options.confirmTimeout
        events.handle(.phase(Self.describe(plan.commands)))
        let outcome: CommandOutcome
        do {
            outcome = try await target.runCommands(request)
        } catch {
            try await restore(runID, target: target, reason: "the package round trip did not finish (\(error))")
        }
        if let gone = outcome.gone {
            throw EngineError(
                .applyFailed,
                "the run was no longer waiting for its packages (its status is \(gone)): the router's watchdog had already restored it",
                hint: "a longer --confirm-timeout gives a slow link more time")
        }
        guard let failure = outcome.failure else { return }
        let before =
            outcome.installed.isEmpty
            ? ""
            : "; installed before the failure, removed again by the restore: \(outcome.installed.joined(separator: ", "))"
        try await restore(runID, target: target, reason: failure + before)
    }

    static func describe(_ commands: [Change]) -> String {
        var installs = 0
        var removals = 0
        var services = 0
        for command in commands {
            switch command {
            case .package(_, let install): if install { installs += 1 } else { removals += 1 }
            case .service: services += 1
            default: break
            }
        }
        let parts = [
            installs > 0 ? "installing \(installs) package(s)" : nil,
            removals > 0 ? "removing \(removals) package(s)" : nil,
            services > 0 ? "switching \(services) service(s)" : nil,
        ].compactMap { $0 }
        return parts.joined(separator: ", ")
    }
}
