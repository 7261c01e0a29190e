/// Everything apply writes, sent in one round trip: the router takes the lock, checks each file still
/// has the hash the plan saw (compare-and-swap), journals the old bytes, then writes the new ones.
public struct WriteTransaction: Sendable {
    public struct File: Sendable {
        public var path: String
        /// sha256 the file must still have ("absent": must not exist).
        public var expectedHash: String
        public var new: FileState

        public init(path: String, expectedHash: String, new: FileState) {
            self.path = path
            self.expectedHash = expectedHash
            self.new = new
        }
    }

    public var runID: String
    /// "user@host" of the machine running wrtform, shown to anyone the lock refuses.
    public var owner: String
    public var files: [File]
    /// The run's journal (run.json), kept on the router.
    public var journal: [UInt8]
    /// One line for `history`: time, playbook, files.
    public var summary: String
    /// Services to reload on restore.
    public var services: [String]
    /// Break a lock left by a run that died (the --force of apply).
    public var breakLock: Bool
    /// "apply", or "rollback" for a run that undoes another.
    public var kind: String = "apply"

    public init(runID: String, owner: String, files: [File], journal: [UInt8], summary: String, services: [String], breakLock: Bool = false) {
        self.runID = runID
        self.owner = owner
        self.files = files
        self.journal = journal
        self.summary = summary
        self.services = services
        self.breakLock = breakLock
    }
}

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

public struct ReloadRequest: Sendable {
    public var runID: String
    public var services: [String]
    /// Seconds until the router restores the run by itself unless confirmed; nil: no watchdog.
    public var confirmTimeout: Int?

    public init(runID: String, services: [String], confirmTimeout: Int?) {
        self.runID = runID
        self.services = services
        self.confirmTimeout = confirmTimeout
    }
}

public enum ReloadOutcome: Sendable, Equatable {
    /// Reloaded; `revertAt` is the router time the watchdog will restore at unless confirmed.
    case reloaded(revertAt: Int?)
    /// A reload failed; the router restored the old files and reloaded again.
    case failedAndRestored(service: String, output: String)
    /// Nothing to reload here (a local directory).
    case skipped
}

public struct FinishRequest: Sendable {
    public var runID: String
    public var checks: [PostCheck]
    /// Seconds to keep polling checks that fail.
    public var pollTimeout: Int
    /// Confirm only when every check passes.
    public var confirm: Bool
    /// For a rollback run: the run it undoes, marked rolled-back on confirmation.
    public var rolledBackRun: String?

    public init(runID: String, checks: [PostCheck], pollTimeout: Int, confirm: Bool = true) {
        self.runID = runID
        self.checks = checks
        self.pollTimeout = pollTimeout
        self.confirm = confirm
    }
}

public struct CheckResult: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable { case ok = "OK", fail = "FAIL", skip = "SKIP" }
    public var description: String
    public var status: Status

    public init(description: String, status: Status) {
        self.description = description
        self.status = status
    }
}

public struct FinishOutcome: Sendable, Equatable {
    public var results: [CheckResult]
    public var confirmed: Bool

    public init(results: [CheckResult], confirmed: Bool) {
        self.results = results
        self.confirmed = confirmed
    }
}
