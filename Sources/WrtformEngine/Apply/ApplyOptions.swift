/// How an apply runs.
public struct ApplyOptions: Sendable {
    /// "user@host" of this machine, recorded in the lock and journal.
    public var owner: String
    public var playbook: String
    /// Seconds the router waits for confirmation before restoring by itself; nil: no watchdog (--no-confirm).
    public var confirmTimeout: Int?
    public var skipVerify: Bool
    /// Health probes from the playbook: commands that must exit 0 on the router.
    public var probes: [PostCheck]
    /// Seconds to keep polling failing checks.
    public var verifyTimeout: Int
    /// Break a lock left by a run that died.
    public var breakLock: Bool
    /// Where masked copies of journals are kept (~/.local/state/wrtform); nil: none.
    public var localJournalDirectory: String?
    /// Update the package lists before installing, however fresh they are (--refresh).
    public var refresh = false

    public init(
        owner: String, playbook: String, confirmTimeout: Int? = 90, skipVerify: Bool = false, probes: [PostCheck] = [],
        verifyTimeout: Int = 30, breakLock: Bool = false, localJournalDirectory: String? = nil
    ) {
        self.owner = owner
        self.playbook = playbook
        self.confirmTimeout = confirmTimeout
        self.skipVerify = skipVerify
        self.probes = probes
        self.verifyTimeout = verifyTimeout
        self.breakLock = breakLock
        self.localJournalDirectory = localJournalDirectory
    }
}
