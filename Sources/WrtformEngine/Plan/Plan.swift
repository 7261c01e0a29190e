/// The exact pending changes: per step, per file (as a diff, secrets masked), the services that will
/// reload, and warnings. Nothing is written to make one.
public struct Plan: Sendable {
    public struct StepPlan: Sendable {
        public var id: String
        public var kind: StepKind
        public var action: StepAction
        public var changes: [Change]
        /// One masked line per change, e.g. "+ zone [name='wan_pppoe'] in /etc/config/firewall".
        public var summary: [String]
    }

    public struct FileChange: Sendable {
        public var path: String
        public var old: FileState
        public var new: FileState
        /// Unified diff with secret values masked ("" for a mode/owner-only change).
        public var diff: String
        public var isSecret: Bool
    }

    public var steps: [StepPlan]
    public var files: [FileChange]
    public var services: [String]
    /// What may go wrong with these changes (a step that may cut our own SSH session).
    public var warnings: [String]
    /// What the router was found doing, said before anything else: a run still waiting for
    /// confirmation, a lock held by another run.
    public var notices: [String] = []
    public var postChecks: [PostCheck]
    public var secretKeys: Set<String>
    public var secretFiles: Set<String>
    /// The router as it was read, for the facts and the compare-and-swap.
    public var snapshot: Snapshot
    /// Packages to install or remove and services to switch, in order: run in a round trip of their
    /// own after the write, before the reload.
    public var commands: [Change] = []

    public var hasChanges: Bool { !files.isEmpty || !commands.isEmpty }

    /// Only the ownership record would be written: the configuration already matches, so `plan`
    /// reports no pending change (exit 0), and the next apply records what the playbook owns.
    public var onlyRecordsOwnership: Bool {
        files.count == 1 && files[0].path == OwnershipRecord.path && steps.allSatisfy { $0.action == .noop }
            && commands.isEmpty
    }

    /// Changes to the router's configuration (what `plan`'s exit status 2 means).
    public var hasPendingChanges: Bool { hasChanges && !onlyRecordsOwnership }

    public var counts: (add: Int, change: Int, remove: Int) {
        var add = 0
        var change = 0
        var remove = 0
        for step in steps {
            switch step.action {
            case .create: add += 1
            case .update: change += 1
            case .delete: remove += 1
            case .noop: break
            }
        }
        return (add, change, remove)
    }

    public var summaryLine: String {
        let c = counts
        if onlyRecordsOwnership {
            return "No changes: the router matches the playbook (apply would record what it owns)."
        }
        return hasChanges
            ? "Plan: \(c.add) to add, \(c.change) to change, \(c.remove) to remove."
            : "No changes: the router matches the playbook."
    }
}
