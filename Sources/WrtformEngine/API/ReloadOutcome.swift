/// How the reload round trip ended.
public enum ReloadOutcome: Sendable, Equatable {
    /// Reloaded; `revertAt` is the router time the watchdog will restore at unless confirmed.
    case reloaded(revertAt: Int?)
    /// A reload failed; the router restored the old files and reloaded again.
    case failedAndRestored(service: String, output: String)
    /// Nothing to reload here (a local directory).
    case skipped
}
