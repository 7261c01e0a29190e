import Foundation
import WrtformEngine

extension PlanSession {
    /// `plan --out FILE`: this host's plan into FILE (0600), or into the fleet's collector when run
    /// by `wrtform fleet`. Returns the line to print, or nil under a fleet.
    func save(to path: String, options: PlaybookOptions, target: TargetOptions, force: Bool, console: Console) throws
        -> String?
    {
        let source = SavedPlan.Source(
            path: SavedPlanFile.absolute(options.playbook), name: loaded.playbook.name,
            digest: try SavedPlanFile.digest(
                playbook: options.playbook, templates: loaded.playbook.templateFiles, varFiles: options.varFiles),
            vars: options.vars, varFiles: options.varFiles.map(SavedPlanFile.absolute), steps: options.steps,
            allowOutsideTemplates: options.allowOutsideTemplates, prune: prune, force: force)
        let seal = PlanSeal(key: try SavedPlanFile.key(console.environment, create: true))
        // The inventory's name for the host, however --limit selected it (a group, a glob, none):
        // fleet … apply --plan looks each host's entry up by that name.
        let host = try InventoryTarget.hostName(file: target.inventoryFile, limit: target.limit) ?? router.name
        let entry = try HostPlan(
            plan: plan, host: host, target: router.name, seal: seal, scrub: printer.scrubber.clean)
        let bytes = try SavedPlan(playbook: source, hosts: [entry]).sealed(with: seal)
        try Self.refuseSecrets(in: bytes, printer: printer, path: path)
        if let collector = SavedPlanCollector.current {
            collector.add(entry, source: source)
            return nil
        }
        try SavedPlanFile.write(bytes, to: path)
        return "Saved this plan to \(path): `wrtform apply --plan \(path) …` applies exactly it, or refuses."
    }

    /// The last line of defence: no resolved secret value, in any escaped form, is in the file.
    static func refuseSecrets(in bytes: [UInt8], printer: Printer, path: String) throws {
        let text = String(decoding: bytes, as: UTF8.self)
        guard printer.scrubber.clean(text) == text else {
            throw EngineError(
                .invalidInput, "the plan for \(path) would hold a secret value; nothing was saved",
                hint: "a secret stands where wrtform keeps names (a path, a step id): move it into an option value")
        }
    }
}
