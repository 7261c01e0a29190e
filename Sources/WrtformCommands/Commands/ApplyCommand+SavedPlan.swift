import Foundation
import WrtformEngine

extension Wrtform.ApplyCommand {
    /// `apply --plan FILE`: the saved plan's playbook and arguments loaded again with the secrets from
    /// the environment, the router read once, and every check a saved plan promises before the normal
    /// apply (lock, journal, watchdog, restore on failure): same wrtform, same playbook digest, same
    /// router, every file read with the seal it had, and a plan that comes out as saved.
    func applySaved(_ path: String, console: Console, report: JSONReport?) async throws {
        // The whole file is checked with the plan key before anything in it is used.
        let seal = PlanSeal(key: try SavedPlanFile.key(console.environment, create: false))
        let saved = try SavedPlanFile.read(path, seal: seal)
        // Under an inventory, the host's entry by its name, else the one made for its router (a plan
        // made with --host applied with --inventory … --limit).
        let host = try InventoryTarget.hostName(file: target.inventoryFile, limit: target.limit)
        let router = try host.flatMap { _ in
            try TargetConnector.address(target, environment: console.environment)?.ssh.description
        }
        let entry = try saved.entry(for: host, target: router, path: path)
        let source = saved.playbook
        // A fleet's file is made again by the fleet: `wrtform plan` would save one host's plan over it.
        let remake = saved.hosts.count > 1 ? "wrtform fleet … plan … --out \(path)" : "wrtform plan … --out \(path)"
        let options = try ApplyPlaybookOptions.options(
            playbook: playbook.playbook ?? source.path, vars: source.vars, varFiles: source.varFiles,
            steps: source.steps, allowOutsideTemplates: source.allowOutsideTemplates)
        let checks = PlanSession.SavedPlanChecks(
            loaded: { loaded in
                let digest = try SavedPlanFile.digest(
                    playbook: options.playbook, templates: loaded.playbook.templateFiles, varFiles: options.varFiles)
                guard digest == source.digest else {
                    throw EngineError(
                        .conflict,
                        "the playbook changed since the plan was made (\(options.playbook), its templates or --var-files); nothing was written",
                        hint: "make the plan again with `\(remake)`")
                }
            },
            read: { router, snapshot in
                guard router.name == entry.target else {
                    throw EngineError(
                        .invalidInput, "\(path) was made for \(entry.target), not \(router.name); nothing was written",
                        hint: "name the router the plan was made for")
                }
                let changed = try entry.changed(in: snapshot, seal: seal)
                guard changed.isEmpty else {
                    throw EngineError(
                        .changedSincePlan,
                        "changed since the plan was made: \(changed.joined(separator: ", ")); nothing was written to \(router.name)",
                        hint: "make the plan again with `\(remake)` and review it")
                }
            })
        try await PlanSession.run(
            playbook: options, target: target, output: output, force: source.force || force || ignoreStagedChanges,
            console: console, prune: source.prune, checks: checks
        ) { session in
            do {
                try entry.verify(session.plan, seal: seal)
            } catch let error as EngineError {
                throw CommandFailure(error, target: session.router.name)
            }
            try await carryOut(session, console: console, report: report, saved: path)
        }
    }

    /// The write's compare-and-swap found a file changed after the read: said as a saved plan says it.
    static func changedSinceSaved(_ error: EngineError, router: String) -> EngineError {
        let suffix = " changed on the router since the plan read it; nothing was changed"
        let paths = error.message.hasSuffix(suffix) ? String(error.message.dropLast(suffix.count)) : error.message
        return EngineError(
            .changedSincePlan, "changed since the plan was made: \(paths); nothing was written to \(router)",
            hint: "make the plan again and review it")
    }
}
