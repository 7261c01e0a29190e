internal import CLibSSH2
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One libssh2 session on one TCP socket, in non-blocking mode.
///
/// Used only on its connection's thread (it is not Sendable); its raw pointers never leave
/// WrtformSSH. Every libssh2 call that may block is retried here after `poll()` on the socket
/// in the direction libssh2 reports, together with the wakeup pipe that cancellation writes to.
final class Session {
    let target: SSHTarget
    let wakeup: Wakeup
    /// nil once torn down.
    private(set) var handle: OpaquePointer?
    private var socket: Int32
    /// Why the session ended; nil while it is usable.
    private(set) var closeReason: String?
    /// Round trips: times the session sent something and then had to wait for the answer.
    private(set) var roundTrips = 0
    /// Reached by libssh2's callbacks; kept alive here.
    let context = SessionContext()
    /// Keepalive interval during commands and between them; nil disables keepalives.
    var keepaliveInterval: Duration?
    /// The last time the socket had something to read.
    var lastInbound = ContinuousClock.now
    /// Channels whose command was abandoned (timeout, cancellation): their CLOSE is sent and
    /// libssh2 frees them once the router answers.
    var abandonedChannels: [OpaquePointer] = []
    /// Shuts the socket down at the connect deadline while logging in; nil once logged in.
    private var watchdog: SocketWatchdog?

    init(target: SSHTarget, socket: Int32, wakeup: Wakeup) throws {
        self.target = target
        self.socket = socket
        self.wakeup = wakeup
        guard LibSSH2.ensureInitialized(), let handle = libssh2_session_init_ex(nil, nil, nil, nil) else {
            _ = Glibc.close(socket)
            self.handle = nil
            self.socket = -1
            throw SSHError(
                .handshakeFailed, target, "could not be reached: libssh2 failed to initialise (out of memory?)")
        }
        self.handle = handle
        context.install(on: handle)
        libssh2_session_set_blocking(handle, 0)
        _ = libssh2_session_method_pref(handle, LIBSSH2_METHOD_HOSTKEY, LibSSH2.hostKeyPreference)
    }

    deinit {
        teardown(reason: "the connection was released", graceful: false)
    }

    var isOpen: Bool { handle != nil && closeReason == nil }

    /// libssh2's message for its last error (never contains credentials).
    var lastErrorMessage: String {
        guard let handle else { return closeReason ?? "the session is closed" }
        var message: UnsafeMutablePointer<CChar>?
        var length: Int32 = 0
        _ = libssh2_session_last_error(handle, &message, &length, 0)
        guard let message, length > 0 else { return "unknown error" }
        return String(cString: message)
    }

    var lastErrorCode: Int32 {
        guard let handle else { return LIBSSH2_ERROR_SOCKET_DISCONNECT }
        return libssh2_session_last_errno(handle)
    }

    /// Whether libssh2 holds a half-sent packet: then only the call that started it may be
    /// made next (libssh2 answers any other sending call with LIBSSH2_ERROR_BAD_USE).
    var isBlockedOutbound: Bool {
        guard let handle else { return false }
        return libssh2_session_block_directions(handle) & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0
    }

    func closedError() -> SSHError {
        SSHError(.closed, target, "is not connected (\(closeReason ?? "closed")); connect again")
    }

    // MARK: - Waiting

    /// Waits until the socket is ready in the direction libssh2 is blocked on, the wakeup pipe
    /// fires (when `watchWakeup`), `deadline` passes or `limit` milliseconds elapse. It only
    /// waits: callers check their deadline and `isInterrupted` afterwards.
    func waitForSocket(until deadline: Deadline?, limit: Int32? = nil, watchWakeup: Bool = true) {
        guard let handle else { return }
        let directions = libssh2_session_block_directions(handle)
        var events: Int16 = 0
        if directions & LIBSSH2_SESSION_BLOCK_INBOUND != 0 { events |= Int16(POLLIN) }
        if directions & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0 { events |= Int16(POLLOUT) }
        if events == 0 { events = Int16(POLLIN) }
        var timeout: Int32 = deadline?.remainingMilliseconds ?? -1
        if let limit { timeout = timeout < 0 ? limit : min(timeout, limit) }
        let wakeupFD = watchWakeup ? wakeup.fd : -1
        if watchWakeup && wakeupFD < 0 {
            // No pipe: look at the cancellation flag at least every 100 ms.
            timeout = timeout < 0 ? 100 : min(timeout, 100)
        }
        var fds = [
            pollfd(fd: socket, events: events, revents: 0),
            pollfd(fd: wakeupFD, events: Int16(POLLIN), revents: 0),
        ]
        let ready = poll(&fds, nfds_t(fds.count), timeout)
        if ready > 0, fds[0].revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
            lastInbound = .now
            if events & Int16(POLLIN) != 0 && context.sentSinceAnswer {
                roundTrips += 1
                context.sentSinceAnswer = false
            }
        }
    }

    /// Whether the current operation was cancelled: by the Task running it, or through the
    /// wakeup pipe (the connect phase runs outside any Task).
    var isCancelled: Bool { wakeup.isSignaled || Task.isCancelled }

    /// Whether a small packet can be sent right now without blocking.
    var isWritableNow: Bool {
        var fds = [pollfd(fd: socket, events: Int16(POLLOUT), revents: 0)]
        return poll(&fds, 1, 0) == 1 && fds[0].revents & Int16(POLLOUT) != 0
    }

    /// Repeats a libssh2 call until it no longer returns EAGAIN; for the login phase, where
    /// running past `deadline` fails the whole connect.
    func retry(until deadline: Deadline, timeout: Duration, _ body: (OpaquePointer) -> Int32) throws -> Int32 {
        while true {
            guard let handle else { throw closedError() }
            let code = body(handle)
            guard code == LIBSSH2_ERROR_EAGAIN else { return code }
            if isCancelled { throw CancellationError() }
            if deadline.hasPassed { throw loginTimeout(timeout) }
            waitForSocket(until: deadline)
        }
    }

    /// `retry` for libssh2 calls that return a pointer (nil with EAGAIN means try again).
    func retryPointer<T>(until deadline: Deadline, timeout: Duration, _ body: (OpaquePointer) -> T?) throws -> T? {
        while true {
            guard let handle else { throw closedError() }
            if let value = body(handle) { return value }
            guard libssh2_session_last_errno(handle) == LIBSSH2_ERROR_EAGAIN else { return nil }
            if isCancelled { throw CancellationError() }
            if deadline.hasPassed { throw loginTimeout(timeout) }
            waitForSocket(until: deadline)
        }
    }

    func loginTimeout(_ timeout: Duration) -> SSHError {
        SSHError(
            .connectTimedOut, target,
            "did not complete the SSH login within \(timeout.shortDescription); the router may be overloaded or the link lossy — try again or raise the connect timeout"
        )
    }

    // MARK: - Login phase

    /// Bounds the whole login (banner, key exchange, host key, authentication) by `deadline`,
    /// even if libssh2 never returns from a call on its own.
    func armWatchdog(until deadline: Deadline) {
        watchdog = SocketWatchdog(socket: socket, deadline: deadline)
    }

    /// Logged in: the deadline no longer applies.
    func disarmWatchdog() {
        watchdog?.disarm()
        watchdog = nil
    }

    /// Whether the watchdog cut the login short at the deadline.
    var watchdogFired: Bool { watchdog?.fired ?? false }

    func handshake(until deadline: Deadline, timeout: Duration) throws {
        let socket = self.socket
        switch ServerBanner.inspect(socket: socket, deadline: deadline, wakeup: wakeup) {
        case .ssh:
            break
        case .notSSH(let bytes):
            teardown(reason: "the server does not speak SSH", graceful: false)
            throw SSHError(
                .handshakeFailed, target,
                "answers, but port \(target.port) does not speak SSH (got: \(ServerBanner.rendered(bytes))); check the address and port (SSH listens on 22 unless configured otherwise)"
            )
        case .closed:
            teardown(reason: "the handshake failed", graceful: false)
            throw closedBeforeHandshake("no banner")
        case .timedOut:
            teardown(reason: "the handshake timed out", graceful: false)
            throw SSHError(
                .connectTimedOut, target,
                "accepted the connection but sent no SSH banner within \(timeout.shortDescription); is this an SSH port, or is the router overloaded? Check the port, or raise the connect timeout"
            )
        case .cancelled:
            teardown(reason: "the connect was cancelled", graceful: false)
            throw CancellationError()
        }
        let code = try retry(until: deadline, timeout: timeout) { libssh2_session_handshake($0, socket) }
        guard code == 0 else {
            let detail = lastErrorMessage
            teardown(reason: "the handshake failed", graceful: false)
            if code == LIBSSH2_ERROR_BANNER_RECV || code == LIBSSH2_ERROR_SOCKET_DISCONNECT
                || code == LIBSSH2_ERROR_SOCKET_RECV
            {
                throw closedBeforeHandshake(detail)
            }
            throw SSHError(
                .handshakeFailed, target,
                "failed the SSH handshake (\(detail)); is this an SSH server, and does it offer ed25519, ECDSA or RSA host keys?"
            )
        }
    }

    private func closedBeforeHandshake(_ detail: String) -> SSHError {
        SSHError(
            .handshakeFailed, target,
            "closed the connection before the SSH handshake (\(detail)); dropbear turns away a sixth simultaneous not-yet-logged-in connection from one address — open fewer at once, or retry"
        )
    }

    /// The server's host key blob and libssh2's type for it.
    func hostKeyBlob() -> (blob: [UInt8], type: Int32)? {
        guard let handle else { return nil }
        var length = 0
        var type: Int32 = 0
        guard let key = libssh2_session_hostkey(handle, &length, &type), length > 0 else { return nil }
        let blob = UnsafeRawBufferPointer(start: key, count: length)
        return (Array(blob), type)
    }

    /// `SHA256:…` of the host key, as OpenSSH prints it.
    func hostKeyFingerprint() -> String? {
        guard let handle, let hash = libssh2_hostkey_hash(handle, LIBSSH2_HOSTKEY_HASH_SHA256) else { return nil }
        let digest = Data(UnsafeRawBufferPointer(start: hash, count: 32))
        let base64 = digest.base64EncodedString()
        return "SHA256:" + base64.replacingOccurrences(of: "=", with: "")
    }

    func enableKeepalive(_ interval: Duration?) {
        keepaliveInterval = interval
        guard let handle, let interval else { return }
        let seconds = max(2, UInt32(clamping: interval.components.seconds))
        libssh2_keepalive_config(handle, 1, seconds)
    }

    /// Sends a keepalive if one is due and the socket can take it at once; returns the
    /// milliseconds until the next one is due.
    ///
    /// libssh2 1.10 builds the keepalive on its stack and marks it sent even when the socket
    /// took only part of it; a half-sent keepalive would then block every later packet. So it
    /// is only sent when nothing else is half-sent and the socket is writable.
    func sendKeepaliveIfDue() throws -> Int32? {
        guard let handle, keepaliveInterval != nil else { return nil }
        guard !isBlockedOutbound, isWritableNow else { return 1000 }
        var secondsToNext: Int32 = 0
        let code = libssh2_keepalive_send(handle, &secondsToNext)
        if code != 0 && code != LIBSSH2_ERROR_EAGAIN && LibSSH2.isTransportError(code) {
            throw lost("while idle")
        }
        return max(1, secondsToNext) * 1000
    }

    /// Finishes freeing channels abandoned by earlier commands, once the router has answered
    /// their CLOSE. Called before a new command, when nothing else is in flight.
    func reapAbandonedChannels() {
        guard handle != nil else { return }
        var waiting: [OpaquePointer] = []
        for channel in abandonedChannels {
            var code = libssh2_channel_free(channel)
            let grace = Deadline(after: .seconds(1))
            while code == LIBSSH2_ERROR_EAGAIN && isBlockedOutbound && !grace.hasPassed {
                waitForSocket(until: grace, watchWakeup: false)
                code = libssh2_channel_free(channel)
            }
            if code == LIBSSH2_ERROR_EAGAIN {
                if isBlockedOutbound {
                    teardown(reason: "the router stopped reading from the connection", graceful: false)
                    return
                }
                waiting.append(channel)
            }
        }
        abandonedChannels = waiting
    }

    /// Ends the session: says goodbye (when asked and possible), frees libssh2's state and
    /// closes the socket. Safe to call more than once; the first reason is kept.
    func teardown(reason: String, graceful: Bool) {
        // Before the socket's number can be reused: the watchdog must not shut down another's.
        watchdog?.disarm()
        guard let handle else { return }
        if graceful {
            let grace = Deadline(after: .seconds(1))
            while !grace.hasPassed {
                let code = libssh2_session_disconnect_ex(
                    handle, SSH_DISCONNECT_BY_APPLICATION, "wrtform closed the connection", "")
                guard code == LIBSSH2_ERROR_EAGAIN else { break }
                var fds = [pollfd(fd: socket, events: Int16(POLLOUT), revents: 0)]
                _ = poll(&fds, 1, grace.remainingMilliseconds)
            }
        }
        // A shut-down socket makes libssh2's pending channel closes fail at once instead of
        // waiting for answers that will not come.
        _ = shutdown(socket, Int32(SHUT_RDWR))
        abandonedChannels.removeAll()
        var attempts = 0
        while libssh2_session_free(handle) == LIBSSH2_ERROR_EAGAIN && attempts < 100 {
            attempts += 1
        }
        _ = Glibc.close(socket)
        socket = -1
        self.handle = nil
        if closeReason == nil { closeReason = reason }
    }

    /// Drops the session after a transport failure and describes it.
    func lost(_ when: String) -> SSHError {
        let detail = lastErrorMessage
        teardown(reason: "the connection broke \(when)", graceful: false)
        return SSHError(
            .connectionLost, target,
            "closed the connection \(when) (\(detail)); the router may have rebooted or dropbear stopped — connect again"
        )
    }
}
