/// Packages and services: what a plan reads for them (probes in its one snapshot round trip) and
/// what apply runs for them (one round trip of their own, after the write, before the reload).
public enum CommandRound {
    /// The probes a plan of `graph` adds to its snapshot: the installed packages if any step names
    /// a package, and each named service's state. None for a playbook without such steps.
    public static func probes(for graph: StepGraph) -> [RouterProbe] {
        var probes: [RouterProbe] = []
        if graph.ordered.contains(where: { $0 is PackageStep }) { probes.append(PackageDatabase.probe) }
        var seen: Set<String> = []
        for case let step as ServiceStep in graph.ordered where seen.insert(step.name).inserted {
            probes.append(ServiceState.probe(step.name))
        }
        return probes
    }

    /// The probe `facts` and `doctor` use to read the installed packages.
    public static var packagesProbe: RouterProbe { PackageDatabase.probe }

    /// The installed packages a snapshot read with `packagesProbe` (nil: not read).
    public static func packages(in snapshot: Snapshot) -> PackageDatabase? {
        PackageDatabase(probe: snapshot.probes[PackageDatabase.probeName])
    }

    static func commands(of steps: [Plan.StepPlan]) -> [Change] {
        steps.flatMap { $0.changes.filter(\.isCommand) }
    }

    static func isCommandStep(_ step: any Step) -> Bool { step is PackageStep || step is ServiceStep }
}

/// The command round trip: install, remove, switch services, journaling each on the router.
public struct CommandRequest: Sendable {
    public var runID: String
    public var commands: [Change]
    /// Run `opkg update`/`apk update` before the first install whatever the lists' age (--refresh).
    public var refresh: Bool
    /// Step ids by command, for the router's log (what a later rollback names).
    public var stepIDs: [String]
    /// "opkg" or "apk" as the plan read it, for messages.
    public var manager: String = "none"
    /// The run's confirm timeout: the watchdog gets it back once the commands are done (it allows
    /// `CommandScript.installWindow` while they run). nil: no watchdog.
    public var confirmTimeout: Int?

    public init(runID: String, commands: [Change], refresh: Bool = false, stepIDs: [String] = []) {
        self.runID = runID
        self.commands = commands
        self.refresh = refresh
        self.stepIDs = stepIDs
    }
}

/// What the command round trip did. `failure`: the command that failed and why, in one line; what
/// was installed before it is in `installed` (the restore that follows takes it away again).
public struct CommandOutcome: Sendable, Equatable {
    public var installed: [String] = []
    public var removed: [String] = []
    public var switched: [String] = []
    public var failure: String?
    /// The run was no longer waiting (its watchdog restored it): its status.
    public var gone: String?

    public init() {}
}
