#if canImport(Glibc)
    import Glibc
#endif

/// A client of ssh-agent's protocol (draft-miller-ssh-agent: list keys, sign), every read and
/// write bounded by the connect deadline and the wakeup pipe.
///
/// libssh2's own agent client blocks on the agent's socket without a timeout: an agent that
/// accepts but never answers hung the whole connect. Here the socket is non-blocking and each
/// exchange polls it; a silent agent ends in an error naming it.
final class AgentClient {
    struct Identity {
        var blob: [UInt8]
        var comment: String
    }

    enum Failure: Error {
        /// No answer before the deadline, or the wakeup pipe fired.
        case timedOut, cancelled
        /// The agent went away or answered something that is not the protocol.
        case broken(String)
    }

    private static let requestIdentities: UInt8 = 11
    private static let identitiesAnswer: UInt8 = 12
    private static let signRequest: UInt8 = 13
    private static let signResponse: UInt8 = 14
    /// OpenSSH's agent caps messages at 256 KB.
    private static let maximumMessage = 256 * 1024

    let path: String
    private var socket: Int32
    private let deadline: Deadline
    private let wakeup: Wakeup

    /// nil when nothing accepts connections at `path` (a stale SSH_AUTH_SOCK is common).
    init?(path: String, deadline: Deadline, wakeup: Wakeup) {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard !bytes.contains(0), bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let fd = Glibc.socket(
            AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { return nil }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        // A unix socket connects at once, or fails (EAGAIN: the agent's backlog is full).
        guard connected == 0 else {
            _ = close(fd)
            return nil
        }
        self.path = path
        self.socket = fd
        self.deadline = deadline
        self.wakeup = wakeup
    }

    deinit {
        if socket >= 0 { _ = close(socket) }
    }

    func identities() throws(Failure) -> [Identity] {
        var reader = try transact([Self.requestIdentities], expecting: Self.identitiesAnswer)
        guard let count = reader.uint32(), count <= 4096 else { throw .broken("a malformed key list") }
        var identities: [Identity] = []
        for _ in 0..<count {
            guard let blob = reader.string(), let comment = reader.string() else {
                throw .broken("a malformed key list")
            }
            identities.append(Identity(blob: blob, comment: String(decoding: comment, as: UTF8.self)))
        }
        return identities
    }

    /// The signature of `data` by the key `blob`, without its leading algorithm name (as
    /// libssh2's sign callback returns it).
    func sign(_ data: [UInt8], with blob: [UInt8]) throws(Failure) -> [UInt8] {
        var request: [UInt8] = [Self.signRequest]
        Self.append(blob, to: &request)
        Self.append(data, to: &request)
        request += [0, 0, 0, 0] // flags: none, as libssh2 1.10's own agent client
        var reader = try transact(request, expecting: Self.signResponse)
        guard let signature = reader.string() else { throw .broken("a malformed signature") }
        var inner = Reader(bytes: signature[...])
        guard inner.string() != nil, let raw = inner.string() else { throw .broken("a malformed signature") }
        return raw
    }

    // MARK: - Machinery

    private func transact(_ payload: [UInt8], expecting answer: UInt8) throws(Failure) -> Reader {
        var message: [UInt8] = []
        Self.append(payload, to: &message)
        try send(message)
        let header = try receive(4)
        let length = header.reduce(0) { $0 << 8 | Int($1) }
        guard length >= 1, length <= Self.maximumMessage else { throw .broken("a message of \(length) bytes") }
        let body = try receive(length)
        guard body[0] == answer else { throw .broken("refusal (message type \(body[0]))") }
        return Reader(bytes: body.dropFirst())
    }

    private func send(_ bytes: [UInt8]) throws(Failure) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if sent > 0 {
                offset += sent
            } else if sent < 0 && (errno == EAGAIN || errno == EINTR) {
                try wait(for: Int16(POLLOUT))
            } else {
                throw .broken("a closed socket")
            }
        }
    }

    private func receive(_ count: Int) throws(Failure) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let got = bytes[offset...].withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if got > 0 {
                offset += got
            } else if got < 0 && (errno == EAGAIN || errno == EINTR) {
                try wait(for: Int16(POLLIN))
            } else {
                throw .broken("a closed socket")
            }
        }
        return bytes
    }

    private func wait(for events: Int16) throws(Failure) {
        var fds = [
            pollfd(fd: socket, events: events, revents: 0), pollfd(fd: wakeup.fd, events: Int16(POLLIN), revents: 0),
        ]
        _ = poll(&fds, 2, min(deadline.remainingMilliseconds, 250))
        if wakeup.isSignaled { throw .cancelled }
        if deadline.hasPassed { throw .timedOut }
    }

    private static func append(_ string: [UInt8], to message: inout [UInt8]) {
        let length = UInt32(clamping: string.count)
        message += [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: length >> UInt32($0)) }
        message += string
    }

    /// Reads SSH wire types (`uint32`, `string`) from a message, bounds-checked.
    private struct Reader {
        var bytes: ArraySlice<UInt8>

        mutating func uint32() -> Int? {
            guard bytes.count >= 4 else { return nil }
            let value = bytes.prefix(4).reduce(0) { $0 << 8 | Int($1) }
            bytes = bytes.dropFirst(4)
            return value
        }

        mutating func string() -> [UInt8]? {
            guard let length = uint32(), bytes.count >= length else { return nil }
            let value = Array(bytes.prefix(length))
            bytes = bytes.dropFirst(length)
            return value
        }
    }
}
