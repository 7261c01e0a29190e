import WrtformEngine
import WrtformPlaybook

/// A playbook loaded and turned into its step graph — what plan, apply, graph and doctor start from.
struct LoadedPlaybook {
    var playbook: Playbook
    var graph: StepGraph

    /// `resolveSecrets: false` (validate, graph) stands placeholders in for secrets, so no secret is needed.
    init(_ options: PlaybookOptions, resolveSecrets: Bool, console: Console) throws {
        let resolution: SecretResolution = resolveSecrets
            ? .resolve(environment: console.environment, prompter: console.isInteractive ? TerminalPrompter(console: console) : nil)
            : .placeholders
        let playbook = try PlaybookLoader().load(
            path: options.playbook, overrides: try options.overrides(), secrets: resolution,
            allowOutsideFiles: options.allowOutsideTemplates, locationsAsTyped: true)
        self.playbook = playbook
        do {
            graph = try StepGraph(playbook.steps.filter { !$0.skipped }.map { entry in
                StepGraph.Node(step: try StepCatalog.make(entry.input), needs: entry.needs.enumerated().map { index, id in
                    (id, entry.needsLocations.indices.contains(index) ? entry.needsLocations[index] : entry.location)
                })
            })
        } catch let error as EngineError {
            // A bad value from --var is reported at the playbook's field: say where it came from.
            throw playbook.attributing(error)
        }
    }
}
