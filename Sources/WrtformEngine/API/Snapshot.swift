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

/// A probe command's exit status and combined output.
public struct ProbeResult: Sendable, Equatable {
    public var status: Int32
    public var output: String

    public init(status: Int32, output: String) {
        self.status = status
        self.output = output
    }
}

/// What `wrtform facts` prints: enough to know what the router can do, read in one round trip.
public struct Facts: Sendable, Codable, Equatable {
    /// /etc/openwrt_release as key → value (DISTRIB_RELEASE, DISTRIB_TARGET, …).
    public var release: [String: String]
    public var hostname: String
    /// Which of uci, jsonfilter, ubus, ifstatus, nft, fw4, … exist.
    public var tools: [String: Bool]
    /// "opkg", "apk" or "none".
    public var packageManager: String
    /// The files in /etc/config.
    public var configs: [String]

    public init(release: [String: String] = [:], hostname: String = "", tools: [String: Bool] = [:], packageManager: String = "none", configs: [String] = []) {
        self.release = release
        self.hostname = hostname
        self.tools = tools
        self.packageManager = packageManager
        self.configs = configs
    }

    public func has(_ tool: String) -> Bool { tools[tool] ?? false }

    static let probedTools = ["uci", "jsonfilter", "ubus", "ifstatus", "nft", "fw4", "sha256sum", "flock", "start-stop-daemon", "logread"]
}

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

/// One journaled run, as `wrtform history` lists it.
public struct RunSummary: Sendable, Codable, Equatable {
    public var id: String
    public var status: RunStatus
    public var time: Int
    public var playbook: String
    public var files: [String]

    public init(id: String, status: RunStatus, time: Int, playbook: String, files: [String]) {
        self.id = id
        self.status = status
        self.time = time
        self.playbook = playbook
        self.files = files
    }
}

/// A run's state, kept in its journal on the router.
public enum RunStatus: String, Sendable, Codable {
    /// Files being written; a crash here leaves the journal to restore from.
    case writing
    /// Written and reloaded, waiting for confirmation (the watchdog restores it unless confirmed).
    case pending
    /// Confirmed: the change stands.
    case done
    /// Put back by wrtform after a failure.
    case restored
    /// Put back by the router's watchdog or boot hook: it was never confirmed.
    case reverted
    /// Undone later by `wrtform rollback`.
    case rolledBack = "rolled-back"
    /// Nothing was changed (the lock or compare-and-swap refused).
    case aborted
    case unknown
}
