/// Who holds the router's wrtform lock, and since when.
public struct LockInfo: Sendable, Codable, Equatable {
    public var owner: String
    public var pid: String
    public var since: Int
    public var runID: String

    public init(owner: String, pid: String, since: Int, runID: String) {
        self.owner = owner
        self.pid = pid
        self.since = since
        self.runID = runID
    }
}
