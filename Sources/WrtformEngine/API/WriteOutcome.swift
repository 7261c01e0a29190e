/// How the write round trip ended.
public enum WriteOutcome: Sendable, Equatable {
    case written
    /// Another run holds the lock.
    case locked(LockInfo)
    /// These files changed since the plan read them: nothing was written.
    case changed([String])
    /// The router's own parser (uci) rejected a new file: nothing was written.
    case rejected(path: String, message: String)
    /// Writing failed (no space, …); the router's files were left as they were.
    case failed(String)
}
