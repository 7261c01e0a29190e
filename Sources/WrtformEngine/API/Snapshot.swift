import Foundation

/// The router as one read saw it: the files steps touch, plus what decides whether it is safe to write.
public struct Snapshot: Sendable {
    public var files: [String: FileState]
    public var facts: Facts
    /// Someone else's uncommitted changes: uci staging, a LuCI session, a pending LuCI apply.
    public var stagedChanges: [String]
    public var lock: LockInfo?
    public var runs: [RunSummary]
    /// The journal of the run asked for, if any.
    public var journal: RunJournal?
    /// The router's address our connection arrived at (from SSH_CONNECTION), to warn before cutting it.
    public var connectedAddress: String?
    /// The router's clock (seconds since 1970), for "the router will revert at HH:MM:SS".
    public var routerTime: Int?
    /// Outputs of read-only probe commands run with the snapshot (doctor), by name.
    public var probes: [String: ProbeResult] = [:]

    public init(
        files: [String: FileState], facts: Facts, stagedChanges: [String] = [], lock: LockInfo? = nil,
        runs: [RunSummary] = [], journal: RunJournal? = nil, connectedAddress: String? = nil, routerTime: Int? = nil
    ) {
        self.files = files
        self.facts = facts
        self.stagedChanges = stagedChanges
        self.lock = lock
        self.runs = runs
        self.journal = journal
        self.connectedAddress = connectedAddress
        self.routerTime = routerTime
    }
}
