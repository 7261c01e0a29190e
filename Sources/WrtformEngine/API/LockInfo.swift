/// Who holds the router's wrtform lock, and since when.
public struct LockInfo: Sendable, Codable, Equatable {
    public var owner: String
    public var pid: String
    public var since: Int
    public var runID: String
    /// Why `--force` did not break the lock: `watchdog` (its run waits for confirmation),
    /// `reload` (it is reloading) or `young` (it started under two minutes ago and has not
    /// ended). nil when no break was asked for.
    public var live: String?

    public init(owner: String, pid: String, since: Int, runID: String) {
        self.owner = owner
        self.pid = pid
        self.since = since
        self.runID = runID
    }
}
