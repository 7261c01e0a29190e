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
    /// The run a rollback undoes: directories that run made are removed once empty.
    public var undoing: String?
    /// Seconds the router's watchdog waits for confirmation, armed by the write itself before it
    /// replaces the first file, so a client that dies between the write and the reload is covered
    /// too (the reload re-arms it). nil: no watchdog at the write (--no-confirm).
    public var watchdogSeconds: Int?
    /// Packages and services the run changes after the write (`RouterTarget.runCommands`): the
    /// restore script then also undoes what their round trip logged, and the write does not reload.
    public var commands: [Change] = []

    public init(
        runID: String, owner: String, files: [File], journal: [UInt8], summary: String, services: [String],
        breakLock: Bool = false
    ) {
        self.runID = runID
        self.owner = owner
        self.files = files
        self.journal = journal
        self.summary = summary
        self.services = services
        self.breakLock = breakLock
    }
}
