/// What the engine needs from a router, as a few whole operations — each ONE round trip over SSH,
/// since round trips are what users feel. Two implementations: `SSHRouterTarget` and
/// `LocalDirectoryTarget` (a directory holding a router's root filesystem, for offline work).
public protocol RouterTarget: Sendable {
    /// For messages: "root@192.168.1.1:22" or "/path/to/root".
    var name: String { get }
    /// Reads `paths` and what the router says of itself (tools, staged changes, lock, runs).
    /// `run`: also read that run's journal ("last": the newest apply run that changed anything,
    /// whatever became of it since, so a second rollback finds the first one's work done instead
    /// of undoing an older run).
    /// `probes`: read-only commands whose outputs come back in the same round trip (doctor).
    func snapshot(paths: [String], run: String?, probes: [RouterProbe]) async throws -> Snapshot
    /// Takes the lock, checks every file is as the plan saw it, journals the old bytes, writes the new.
    /// A target may reload in the same round trip (the SSH target does): `reload` then reports it.
    func write(_ transaction: WriteTransaction) async throws -> WriteOutcome
    /// Arms the router-side watchdog (if asked) and reloads services; restores in place if a reload fails.
    func reload(_ request: ReloadRequest) async throws -> ReloadOutcome
    /// Runs post-checks and probes (polling until they pass or time out), then confirms the run
    /// and releases the lock — or reports what failed, leaving the run to be restored.
    func finish(_ request: FinishRequest) async throws -> FinishOutcome
    /// Puts back every file a run changed from its journal, reloads, marks the run, releases the lock.
    func restore(runID: String, status: String) async throws
    /// Exec round trips so far (0 for a local directory).
    func roundTrips() async -> Int
    /// Installs and removes packages and switches services for a written run, in one round trip
    /// after the write and before the reload, logging what it did in the run's journal.
    /// No default: a wrapper that forgot to forward it would refuse every package step.
    func runCommands(_ request: CommandRequest) async throws -> CommandOutcome
}

extension RouterTarget {
    public func snapshot(paths: [String], run: String?) async throws -> Snapshot {
        try await snapshot(paths: paths, run: run, probes: [])
    }
}

/// A read-only command run on the router with a snapshot; its output comes back by name.
public struct RouterProbe: Sendable, Hashable {
    public var name: String
    public var command: String

    public init(_ name: String, command: String) {
        self.name = name
        self.command = command
    }
}
