import WrtformEngine
import WrtformPlaybook

/// A playbook loaded and turned into its step graph — what plan, apply, graph and doctor start from.
struct LoadedPlaybook {
    var playbook: Playbook
    var graph: StepGraph

    /// `resolveSecrets: false` (validate, graph) stands placeholders in for secrets, so no secret is needed.
    /// `inventory`: the selected inventory host's merged vars (between the playbook's and `--var`) and
    /// the environment variables its secrets come from.
    init(
        _ options: PlaybookOptions, resolveSecrets: Bool, console: Console,
        inventory: (vars: [InventoryVariable], secrets: [InventorySecret]) = ([], [])
    ) throws {
        let resolution: SecretResolution =
            resolveSecrets
            ? .resolve(
                environment: console.environment,
                prompter: console.isInteractive ? TerminalPrompter(console: console) : nil)
            : .placeholders
        let playbook = try PlaybookLoader().load(
            path: options.playbook, overrides: try options.overrides(), secrets: resolution,
            allowOutsideFiles: options.allowOutsideTemplates, locationsAsTyped: true, inventoryVars: inventory.vars,
            inventorySecrets: inventory.secrets)
        self.playbook = playbook
        let full: StepGraph
        do {
            full = try StepGraph(
                playbook.steps.filter { !$0.skipped }.map { entry in
                    StepGraph.Node(
                        step: try StepCatalog.make(entry.input),
                        needs: entry.needs.enumerated().map { index, id in
                            (
                                id,
                                entry.needsLocations.indices.contains(index)
                                    ? entry.needsLocations[index] : entry.location
                            )
                        })
                })
        } catch let error as EngineError {
            // A bad value from --var is reported at the playbook's field: say where it came from.
            throw playbook.attributing(error)
        }
        graph = options.steps.isEmpty ? full : try Self.only(options.steps, of: full)
    }

    /// The steps named and, transitively, every step they need (written or implied), in their order.
    static func only(_ names: [String], of graph: StepGraph) throws -> StepGraph {
        let ids = graph.nodes.map(\.step.id)
        var chosen = Set<String>()
        for name in names {
            let matches = ids.filter { $0 == name || $0.hasPrefix(name + "-") }
            let exact = ids.contains(name) ? [name] : matches
            guard !exact.isEmpty else {
                throw EngineError(
                    .unknownReference, "--step \(name): the playbook has no step '\(name)'",
                    hint: Suggestion.hint(for: name, in: ids) ?? "steps: \(ids.joined(separator: ", "))")
            }
            chosen.formUnion(exact)
        }
        var grew = true
        while grew {
            grew = false
            for edge in graph.edges where chosen.contains(edge.to) && !chosen.contains(edge.from) {
                chosen.insert(edge.from)
                grew = true
            }
        }
        return try StepGraph(graph.nodes.filter { chosen.contains($0.step.id) })
    }
}
