internal import CLibSSH2

#if canImport(Glibc)
    import Glibc
#endif

/// One command on one exec channel: open, start, pump stdin/stdout/stderr, collect the exit.
///
/// Everything is non-blocking and interleaved, so a command that fills stderr while we wait
/// for stdout, or that echoes its stdin back, cannot deadlock. libssh2 rule kept throughout:
/// when a call leaves a packet half-sent (`isBlockedOutbound`), that same call is repeated
/// before any other, or libssh2 fails every later send with LIBSSH2_ERROR_BAD_USE.
struct CommandRun {
    private enum Step { case write, eof, readStdout, readStderr }

    private enum Interruption {
        case timedOut(Duration)
        case cancelled
        /// stdout and stderr together passed this many bytes.
        case tooMuchOutput(Int)
    }

    private enum Stop: Error {
        /// Timed out or cancelled, and nothing is half-sent: the channel can be abandoned.
        case interrupted
        /// libssh2 failed with this code in this phase.
        case failed(Int32, String)
        /// The router sent nothing for this long although keepalives asked it to.
        case silent(Duration)
    }

    /// How long to let a half-done exchange finish after a timeout or cancellation.
    private static let grace: Duration = .seconds(2)

    private let session: Session
    private let deadline: Deadline?
    private let timeout: Duration?
    private let outputLimit: Int
    private var channel: OpaquePointer?
    private var interruption: Interruption?
    private var graceDeadline = Deadline(after: CommandRun.grace)

    init(session: Session, timeout: Duration?, outputLimit: Int) {
        self.session = session
        self.timeout = timeout
        self.outputLimit = outputLimit
        self.deadline = timeout.map { Deadline(after: $0) }
    }

    mutating func execute(_ command: [UInt8], stdin: [UInt8]) throws -> ExecResult {
        session.lastInbound = .now
        do {
            try openChannel()
            try start(command)
            var stdout: [UInt8] = []
            var stderr: [UInt8] = []
            try pump(stdin, stdout: &stdout, stderr: &stderr)
            let (status, signal) = try finish()
            return ExecResult(stdout: stdout, stderr: stderr, exitStatus: status, exitSignal: signal)
        } catch Stop.interrupted {
            let usable = abandonChannel()
            if !usable {
                session.teardown(reason: "a command was stopped and its channel did not close", graceful: false)
            }
            switch interruption {
            case .timedOut(let limit):
                let after = usable ? "the connection is still open" : "the connection was closed"
                throw SSHError(
                    .commandTimedOut, session.target,
                    "did not finish a command within \(limit.shortDescription); stopped waiting for it (it may still run on the router) and closed its channel; \(after)"
                )
            case .tooMuchOutput(let limit):
                let after = usable ? "the connection is still open" : "the connection was closed"
                throw SSHError(
                    .outputTooLarge, session.target,
                    "sent more than \(Self.megabytes(limit)) of output for one command (stdout and stderr together); stopped reading it and closed its channel; \(after). A command that streams without end points at a broken or hostile router"
                )
            case .cancelled, nil:
                throw CancellationError()
            }
        } catch Stop.failed(let code, let phase) {
            if LibSSH2.isTransportError(code) || !session.isOpen {
                throw session.lost("during a command")
            }
            let detail = session.lastErrorMessage
            _ = abandonChannel()
            throw SSHError(.channelFailed, session.target, "\(phase) (\(detail)); the connection is still open")
        } catch Stop.silent(let silence) {
            session.teardown(reason: "the router stopped answering", graceful: false)
            throw SSHError(
                .connectionLost, session.target,
                "stopped answering: nothing received for \(silence.shortDescription) despite keepalives; the connection was closed — is the router still up?"
            )
        }
    }

    // MARK: - Phases

    private mutating func openChannel() throws {
        while true {
            guard let handle = session.handle else { throw Stop.failed(LIBSSH2_ERROR_SOCKET_DISCONNECT, "") }
            if let opened = libssh2_channel_open_ex(
                handle, "session", 7, LibSSH2.channelWindow, LibSSH2.channelPacket, nil, 0)
            {
                channel = opened
                if interruption != nil { throw Stop.interrupted }
                return
            }
            let code = libssh2_session_last_errno(handle)
            guard code == LIBSSH2_ERROR_EAGAIN else {
                throw Stop.failed(code, "refused to open a session channel; too many sessions open?")
            }
            try checkInterruption(halfDone: session.isBlockedOutbound)
            wait()
        }
    }

    private mutating func start(_ command: [UInt8]) throws {
        guard let channel else { return }
        try drive("refused to run the command") {
            command.withUnsafeBufferPointer { bytes in
                let base = bytes.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }
                return libssh2_channel_process_startup(channel, "exec", 4, base, UInt32(clamping: bytes.count))
            }
        }
        if interruption != nil { throw Stop.interrupted }
    }

    private mutating func pump(_ stdin: [UInt8], stdout: inout [UInt8], stderr: inout [UInt8]) throws {
        guard let channel else { return }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var written = 0
        var eofSent = false
        var pending: Step?
        while true {
            try checkInterruption(halfDone: pending != nil)
            var progressed = false
            var drained = pending == nil
            let steps: [Step]
            if let pending {
                steps = [pending]
            } else if written < stdin.count {
                steps = [.write, .readStdout, .readStderr]
            } else if !eofSent {
                steps = [.eof, .readStdout, .readStderr]
            } else {
                steps = [.readStdout, .readStderr]
            }
            pending = nil
            for step in steps {
                let code: Int
                switch step {
                case .write:
                    code = stdin.withUnsafeBufferPointer { bytes in
                        guard let base = bytes.baseAddress else { return 0 }
                        let from = UnsafeRawPointer(base + written).assumingMemoryBound(to: CChar.self)
                        return libssh2_channel_write_ex(channel, 0, from, bytes.count - written)
                    }
                case .eof:
                    code = Int(libssh2_channel_send_eof(channel))
                case .readStdout, .readStderr:
                    let stream: Int32 = step == .readStdout ? 0 : SSH_EXTENDED_DATA_STDERR
                    code = buffer.withUnsafeMutableBufferPointer { bytes in
                        guard let base = bytes.baseAddress else { return 0 }
                        let into = UnsafeMutableRawPointer(base).assumingMemoryBound(to: CChar.self)
                        return libssh2_channel_read_ex(channel, stream, into, bytes.count)
                    }
                }
                if code == Int(LIBSSH2_ERROR_EAGAIN) {
                    if step == .readStdout || step == .readStderr { drained = false }
                    if session.isBlockedOutbound {
                        pending = step
                        break
                    }
                    continue
                }
                if code < 0 {
                    let error = Int32(clamping: code)
                    if (step == .write || step == .eof) && !LibSSH2.isTransportError(error) {
                        // The channel takes no more input (the command is gone): drop the rest.
                        written = stdin.count
                        eofSent = true
                        continue
                    }
                    throw Stop.failed(error, "failed while running a command")
                }
                switch step {
                case .write:
                    written += code
                    progressed = progressed || code > 0
                case .eof:
                    eofSent = true
                    progressed = true
                case .readStdout:
                    if code > 0 {
                        stdout.append(contentsOf: buffer[0..<code])
                        progressed = true
                        drained = false
                    }
                case .readStderr:
                    if code > 0 {
                        stderr.append(contentsOf: buffer[0..<code])
                        progressed = true
                        drained = false
                    }
                }
                if stdout.count + stderr.count > outputLimit {
                    if interruption == nil {
                        interruption = .tooMuchOutput(outputLimit)
                        graceDeadline = Deadline(after: Self.grace)
                    }
                    throw Stop.interrupted
                }
            }
            // The router sent EOF and everything before it has been read. Unsent stdin is
            // dropped: the command no longer produces anything, it has ended.
            if pending == nil && drained && libssh2_channel_eof(channel) != 0 {
                return
            }
            if !progressed {
                try waitWithKeepalive()
            }
        }
    }

    private mutating func finish() throws -> (status: Int32, signal: String?) {
        guard let channel, let handle = session.handle else { throw Stop.failed(LIBSSH2_ERROR_SOCKET_DISCONNECT, "") }
        try drive("failed to close the command's channel") { libssh2_channel_close(channel) }
        try drive("failed waiting for the command's exit status") { libssh2_channel_wait_closed(channel) }
        let status = libssh2_channel_get_exit_status(channel)
        var name: UnsafeMutablePointer<CChar>?
        var nameLength = 0
        _ = libssh2_channel_get_exit_signal(channel, &name, &nameLength, nil, nil, nil, nil)
        var signal: String?
        if let name {
            if nameLength > 0 { signal = String(cString: name) }
            libssh2_free(handle, name)
        }
        try drive("failed to free the command's channel") { libssh2_channel_free(channel) }
        self.channel = nil
        if let signal {
            return (Self.shellStatus(forSignal: signal), signal)
        }
        return (status, nil)
    }

    // MARK: - Machinery

    /// Repeats a libssh2 call until it stops returning EAGAIN.
    private mutating func drive(_ phase: String, _ body: () -> Int32) throws {
        while true {
            let code = body()
            if code == LIBSSH2_ERROR_EAGAIN {
                try checkInterruption(halfDone: session.isBlockedOutbound)
                wait()
                continue
            }
            if code < 0 { throw Stop.failed(code, phase) }
            return
        }
    }

    /// Notes a timeout or cancellation. Once interrupted, throws `Stop.interrupted` unless a
    /// packet is half-sent (`halfDone`) and may still go out within the grace period.
    private mutating func checkInterruption(halfDone: Bool) throws {
        if interruption == nil {
            if session.isCancelled {
                interruption = .cancelled
            } else if let deadline, let timeout, deadline.hasPassed {
                interruption = .timedOut(timeout)
            }
            if interruption != nil { graceDeadline = Deadline(after: Self.grace) }
        }
        guard interruption != nil else { return }
        if !halfDone || graceDeadline.hasPassed { throw Stop.interrupted }
    }

    private mutating func wait() {
        if interruption != nil {
            session.waitForSocket(until: graceDeadline, watchWakeup: false)
        } else {
            session.waitForSocket(until: deadline)
        }
    }

    /// Waits for the socket, sending keepalives while a command is quiet, and gives up on a
    /// router that answers none of them.
    private mutating func waitWithKeepalive() throws {
        guard interruption == nil, let interval = session.keepaliveInterval else {
            wait()
            return
        }
        let next = try session.sendKeepaliveIfDue()
        let silence = session.lastInbound.duration(to: .now)
        if silence > interval * 3 { throw Stop.silent(silence) }
        session.waitForSocket(until: deadline, limit: next)
    }

    /// Closes the channel without waiting for its command. Returns whether the session is
    /// still usable: false when libssh2 could not get the CLOSE out within the grace period.
    private mutating func abandonChannel() -> Bool {
        guard let channel else { return session.isOpen }
        self.channel = nil
        guard session.isOpen else { return false }
        let grace = Deadline(after: Self.grace)
        while true {
            let code = libssh2_channel_free(channel)
            if code != LIBSSH2_ERROR_EAGAIN { return session.isOpen }
            if !session.isBlockedOutbound {
                // CLOSE is out; libssh2 frees the channel when the router answers it.
                session.abandonedChannels.append(channel)
                return true
            }
            if grace.hasPassed { return false }
            session.waitForSocket(until: grace, watchWakeup: false)
        }
    }

    /// `64 MB`, `512 KB`, `100 bytes` — for the output-limit message.
    static func megabytes(_ bytes: Int) -> String {
        if bytes >= 1 << 20 && bytes % (1 << 20) == 0 { return "\(bytes >> 20) MB" }
        if bytes >= 1 << 10 && bytes % (1 << 10) == 0 { return "\(bytes >> 10) KB" }
        return "\(bytes) bytes"
    }

    /// A shell's exit status for a command killed by `signal`: 128 + its number, for the
    /// signals numbered alike on every Linux architecture; 255 for the others.
    static func shellStatus(forSignal signal: String) -> Int32 {
        let numbers: [String: Int32] = [
            "HUP": 1, "INT": 2, "QUIT": 3, "ILL": 4, "TRAP": 5, "ABRT": 6, "FPE": 8, "KILL": 9,
            "SEGV": 11, "PIPE": 13, "ALRM": 14, "TERM": 15,
        ]
        return numbers[signal].map { 128 + $0 } ?? 255
    }
}
