import WrtformUCI

/// Makes a plan: every check runs locally, in graph order, on one snapshot of the router.
public struct Planner: Sendable {
    public var force: Bool
    /// The playbook the plan is for: record what it owns, and prune what it no longer names.
    public var ownership: OwnershipScope?

    public init(force: Bool = false, ownership: OwnershipScope? = nil) {
        self.force = force
        self.ownership = ownership
    }

    /// The files a plan of `graph` must read: what the steps touch, plus the configs that references
    /// are resolved against.
    public static func paths(for graph: StepGraph) -> [String] {
        var paths = Set([ConfigFile.network, ConfigFile.firewall, ConfigFile.rtTables, OwnershipRecord.path])
        for step in graph.ordered { paths.formUnion(step.files) }
        return paths.sorted()
    }

    public func plan(_ graph: StepGraph, on snapshot: Snapshot) throws -> Plan {
        try snapshot.refuseIfSomeoneIsMidChange(force: force, overriding: "plan over them")
        let initial = RouterState(snapshot: snapshot)
        try OwnershipPlanner.refuseReservedPaths(graph)
        try resolveReferences(graph, in: initial)
        let owners = try ownership.map { try OwnershipPlanner(scope: $0, initial: initial) }

        var state = initial
        var steps: [Plan.StepPlan] = []
        var secretKeys = UnifiedDiff.defaultSecretOptions.union(RouterSecretOptions.names(in: snapshot.files))
        var secretFiles: Set<String> = []
        for step in graph.ordered {
            secretKeys.formUnion(step.secretKeys)
            if step.writesSecretFile { secretFiles.formUnion(step.files) }
        }
        if let owners {
            secretKeys.formUnion(owners.previous.secretKeys)
            secretFiles.formUnion(owners.previous.secretFiles)
        }
        for step in graph.ordered {
            let changes = try step.check(state)
            for change in changes { try change.apply(to: &state) }
            let action = changes.isEmpty ? .noop : step is AbsentStep ? .delete : changes.map(\.action).max() ?? .noop
            steps.append(
                Plan.StepPlan(
                    id: step.id, kind: step.kind, action: action, changes: changes,
                    summary: changes.map { change in
                        let line = ChangeDescription.line(for: change, secretKeys: secretKeys, secretFiles: secretFiles)
                        return step.reason(for: change).map { "\(line) (\($0))" } ?? line
                    }))
        }

        let owned = try owners?.extend(
            graph, steps: &steps, initial: initial, state: &state, secretKeys: secretKeys, secretFiles: secretFiles)
        try RemovalReferences.check(from: initial, to: state, steps: steps, graph: graph)

        let files = try Plan.FileChange.between(initial, state, secretKeys: secretKeys, secretFiles: secretFiles)
            .map(OwnershipPlanner.shown)
        let changedPaths = files.map(\.path)
        let warnings =
            ConnectionGuard.warnings(for: steps, initial: initial, connectedAddress: snapshot.connectedAddress)
            + DeviceCheck.warnings(for: steps, final: state, facts: snapshot.facts)
            + (owned?.warnings ?? [])
        var notices: [String] = owned?.notices ?? []
        for run in snapshot.runs where run.status == .pending || run.status == .writing {
            notices.append(
                "run \(run.id) is still waiting for confirmation: the router restores it unless it is confirmed")
        }
        if let lock = snapshot.lock {
            notices.append(
                "the router is locked by \(lock.owner) (run \(lock.runID)): apply will wait for no one and refuse")
        }
        let changedSteps = Set(steps.filter { $0.action != .noop }.map(\.id))
        var plan = Plan(
            steps: steps, files: files, services: Services.toReload(for: changedPaths),
            warnings: warnings, notices: notices,
            postChecks: graph.ordered.filter { changedSteps.contains($0.id) }.flatMap(\.postChecks),
            secretKeys: secretKeys, secretFiles: secretFiles, snapshot: snapshot)
        plan.commands = CommandRound.commands(of: steps)
        return plan
    }

    /// A zone, interface or table that neither exists nor is created by the playbook is an error now:
    /// netifd silently drops a rule whose table is unknown, and fw4 skips a redirect whose zone is.
    func resolveReferences(_ graph: StepGraph, in state: RouterState) throws {
        var state = state
        let provided = Set(graph.ordered.flatMap(\.provides))
        let network = try state.uci(ConfigFile.network)
        let firewall = try state.uci(ConfigFile.firewall)
        let interfaces = network.sections(ofType: "interface").compactMap(\.name)
        let zones = firewall.sections(ofType: "zone").compactMap { $0["name"]?.items.first }
        let tables = RoutingTableStep.entries(state.file(ConfigFile.rtTables).text)
        for step in graph.ordered {
            for requirement in step.requires where !provided.contains(requirement.resource) {
                let known: [String]
                let exists: Bool
                switch requirement.resource {
                case .interface(let name):
                    known =
                        interfaces
                        + provided.compactMap { if case .interface(let n) = $0 { return n } else { return nil } }
                    exists = interfaces.contains(name)
                case .zone(let name):
                    known = zones + provided.compactMap { if case .zone(let n) = $0 { return n } else { return nil } }
                    exists = zones.contains(name)
                case .routingTable(let name):
                    known =
                        tables.map(\.name)
                        + provided.compactMap { if case .routingTable(let n) = $0 { return n } else { return nil } }
                    exists = tables.contains { $0.name == name || String($0.id) == name }
                }
                if !exists {
                    throw EngineError(
                        .unknownReference,
                        "step '\(step.id)' refers to \(requirement.resource), which is neither on the router nor created by the playbook",
                        at: requirement.location ?? step.location,
                        hint: Suggestion.hint(for: Self.name(of: requirement.resource), in: known)
                            ?? "add a step that creates it")
                }
            }
        }
    }

    static func name(of resource: Resource) -> String {
        switch resource {
        case .interface(let name), .zone(let name), .routingTable(let name): return name
        }
    }
}
