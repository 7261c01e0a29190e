/// The login sequence: TCP, SSH handshake, host-key decision, authentication. Runs on the
/// connection's own thread, all of it within one connect deadline.
enum Connector {
    struct Opened {
        var session: Session
        var hostKey: HostKey
        var recordedHostKey: Bool
    }

    static func open(
        target: SSHTarget, policy: HostKeyPolicy, credentials: SSHCredentials,
        connectTimeout: Duration, keepaliveInterval: Duration?, wakeup: Wakeup
    ) throws -> Opened {
        // A key file that cannot be used is the user's to fix: said before anything is sent.
        for path in credentials.identityFiles {
            let file = IdentityFile(path: path)
            if case .unreadable(let reason) = file.inspect() {
                throw SSHError(
                    .identityUnusable, target,
                    "was not contacted: identity file \(file.displayPath) cannot be used (\(reason)); check the path given with --identity or IdentityFile"
                )
            }
        }
        let deadline = Deadline(after: connectTimeout)
        let socket = try TCPConnector.connect(to: target, deadline: deadline, timeout: connectTimeout, wakeup: wakeup)
        let session = try Session(target: target, socket: socket, wakeup: wakeup)
        session.armWatchdog(until: deadline)
        do {
            try session.handshake(until: deadline, timeout: connectTimeout)
            let verdict = try HostKeyVerifier.verify(session, policy: policy)
            try Authenticator(session: session, credentials: credentials, deadline: deadline, timeout: connectTimeout)
                .authenticate()
            session.disarmWatchdog()
            session.enableKeepalive(keepaliveInterval)
            return Opened(session: session, hostKey: verdict.key, recordedHostKey: verdict.recorded)
        } catch {
            let cutShort = session.watchdogFired
            session.teardown(reason: "the login failed", graceful: session.isOpen && !cutShort)
            // The watchdog cut the socket at the deadline: say so — unless the error already says
            // what ran out of time (a silent ssh-agent), which the generic line would hide.
            let specific = (error as? SSHError)?.kind == .connectTimedOut
            if cutShort && !(error is CancellationError) && !specific { throw session.loginTimeout(connectTimeout) }
            throw error
        }
    }
}
