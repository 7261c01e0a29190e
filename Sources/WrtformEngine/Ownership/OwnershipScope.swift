/// Which playbook a plan is for, so the plan records what it owns and removes what it no longer
/// names. Without one (library callers, `rollback`), plans neither read nor write ownership.
public struct OwnershipScope: Sendable {
    public enum Mode: Sendable {
        /// Plan the playbook; steps it owned that are gone from it are removed (`prune`) or left alone.
        case playbook(prune: Bool)
        /// Remove everything the playbook owns (`wrtform destroy`).
        case destroy
    }

    public var playbook: String
    public var mode: Mode

    public init(playbook: String, mode: Mode = .playbook(prune: true)) {
        self.playbook = playbook
        self.mode = mode
    }

    var prunes: Bool {
        switch mode {
        case .playbook(let prune): return prune
        case .destroy: return true
        }
    }

    /// Why a removal is planned, shown beside it.
    var reason: String {
        switch mode {
        case .playbook: return "no longer in the playbook"
        case .destroy: return "destroying playbook '\(playbook)'"
        }
    }
}
