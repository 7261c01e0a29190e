/// A run's state, kept in its journal on the router.
public enum RunStatus: String, Sendable, Codable {
    /// Files being written; a crash here leaves the journal to restore from.
    case writing
    /// Written and reloaded, waiting for confirmation (the watchdog restores it unless confirmed).
    case pending
    /// Confirmed: the change stands.
    case done
    /// Put back by wrtform after a failure, or by `wrtform abort`.
    case restored
    /// Put back by the router's watchdog or boot hook: it was never confirmed.
    case reverted
    /// Undone later by `wrtform rollback`.
    case rolledBack = "rolled-back"
    /// Nothing was changed (the lock or compare-and-swap refused).
    case aborted
    /// Left pending or half-written by a client that died; a later `--force` broke its lock, so
    /// neither it nor the boot hook restores it any more.
    case abandoned
    case unknown
}
