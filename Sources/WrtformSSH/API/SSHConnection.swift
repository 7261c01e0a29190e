import Foundation

/// A logged-in SSH connection to a router, over libssh2.
///
/// libssh2 blocks, so each connection runs on its own thread (its actor executor), never on
/// Swift's cooperative pool: connections in parallel really run in parallel, and a slow
/// router stalls only its own connection. Commands on one connection run one at a time.
public actor SSHConnection {
    public nonisolated let target: SSHTarget
    /// The host key the router proved it holds.
    public nonisolated let hostKey: HostKey
    /// Whether the host key was unknown and has just been added to known_hosts (accept-new).
    public nonisolated let recordedHostKey: Bool

    /// The most output (stdout and stderr together) one command may send: 64 MB, far above
    /// the largest snapshot of a router's configuration, far below what would hurt this machine.
    public static let defaultOutputLimit = 64 << 20

    /// Commands run so far (each is at least one round trip); the engine's tests count them.
    public private(set) var execCount = 0

    private let executor: ConnectionExecutor
    private let session: Session
    private let wakeup: Wakeup
    private var keepaliveTask: Task<Void, Never>?

    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        executor.asUnownedSerialExecutor()
    }

    /// Connects, checks the host key with `hostKeyPolicy` before sending any credential, and
    /// logs in with `credentials` (agent, then identity files, then password).
    ///
    /// - Parameters:
    ///   - connectTimeout: for everything up to a logged-in connection.
    ///   - keepaliveInterval: how often to prove the connection alive when quiet (also between
    ///     commands); a command gives up after three intervals without a word from the router.
    ///     nil disables keepalives.
    public static func connect(
        to target: SSHTarget, hostKeyPolicy: HostKeyPolicy, credentials: SSHCredentials,
        connectTimeout: Duration = .seconds(10), keepaliveInterval: Duration? = .seconds(15)
    ) async throws -> SSHConnection {
        let executor = ConnectionExecutor(name: "wrtform-ssh \(target)")
        let wakeup = Wakeup()
        do {
            let opened = try await withTaskCancellationHandler {
                try await executor.run {
                    try Connector.open(
                        target: target, policy: hostKeyPolicy, credentials: credentials,
                        connectTimeout: connectTimeout, keepaliveInterval: keepaliveInterval, wakeup: wakeup)
                }
            } onCancel: {
                wakeup.signal()
            }
            let connection = SSHConnection(opened: opened, executor: executor, wakeup: wakeup)
            await connection.startKeepalive(keepaliveInterval)
            return connection
        } catch {
            executor.shutdown()
            throw error
        }
    }

    private init(opened: sending Connector.Opened, executor: ConnectionExecutor, wakeup: Wakeup) {
        self.target = opened.session.target
        self.hostKey = opened.hostKey
        self.recordedHostKey = opened.recordedHostKey
        self.session = opened.session
        self.executor = executor
        self.wakeup = wakeup
    }

    deinit {
        keepaliveTask?.cancel()
        executor.shutdown()
    }

    /// Runs `command` (sent as UTF-8 bytes) with `stdin`, and returns its stdout, stderr and
    /// exit status. A non-zero exit is returned, not thrown.
    ///
    /// stdin is written while output is read, then EOF is sent. When `timeout` passes, or the
    /// calling Task is cancelled, the command's channel is closed without waiting for it (it
    /// may still run on the router: libssh2 1.10 cannot send signals) and `SSHError`
    /// `.commandTimedOut` (or `CancellationError`) is thrown; `isConnected` then says whether
    /// the connection survived.
    ///
    /// stdout and stderr together may hold at most `outputLimit` bytes: past it, the channel
    /// is closed the same way and `.outputTooLarge` is thrown, so a router streaming without
    /// end cannot fill this machine's memory.
    public nonisolated func exec(
        _ command: String, stdin: [UInt8] = [], timeout: Duration? = nil,
        outputLimit: Int = SSHConnection.defaultOutputLimit
    ) async throws -> ExecResult {
        // Nonisolated on purpose: withTaskCancellationHandler's operation closure, when written
        // inside the actor, ran on the cooperative pool (Swift 6.3), not on this actor's thread.
        // From here, `await self.run` is a real hop onto the connection's thread.
        let wakeup = self.wakeup
        return try await withTaskCancellationHandler {
            try await self.run(Array(command.utf8), stdin: stdin, timeout: timeout, outputLimit: outputLimit)
        } onCancel: {
            wakeup.signal()
        }
    }

    private func run(_ command: [UInt8], stdin: [UInt8], timeout: Duration?, outputLimit: Int) throws -> ExecResult {
        assert(executor.isCurrentThread, "libssh2 work must run on the connection's own thread")
        guard session.isOpen else { throw session.closedError() }
        execCount += 1
        // Clears a wakeup left by an earlier command; a cancellation that came before this
        // point is still seen through Task.isCancelled.
        wakeup.reset()
        var run = CommandRun(session: session, timeout: timeout, outputLimit: outputLimit)
        return try run.execute(command, stdin: stdin)
    }

    /// Whether commands can still be run (false after `close()`, a lost connection, or a
    /// timed-out command whose channel could not be closed).
    public var isConnected: Bool { session.isOpen }

    /// Round trips so far, counted as the times the connection sent something and then had to
    /// wait for the router's answer. An upper estimate: output that was already on its way when
    /// we sent (say, EOF after the exec request) also counts. The benchmark reports it.
    public var roundTrips: Int { session.roundTrips }

    /// Says goodbye to the server and closes the socket. Further commands throw `.closed`.
    public func close() {
        assert(executor.isCurrentThread, "libssh2 work must run on the connection's own thread")
        keepaliveTask?.cancel()
        keepaliveTask = nil
        session.teardown(reason: "it was closed", graceful: true)
    }

    // MARK: - Keepalive between commands

    private func startKeepalive(_ interval: Duration?) {
        guard let interval else { return }
        keepaliveTask = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard let self, !Task.isCancelled else { return }
                await self.keepaliveWhileIdle()
            }
        }
    }

    private func keepaliveWhileIdle() {
        guard session.isOpen else { return }
        do {
            _ = try session.sendKeepaliveIfDue()
        } catch {
            // The session is torn down; the next command reports it.
        }
    }
}
