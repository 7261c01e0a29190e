#if canImport(Glibc)
    import Glibc
#endif

/// The server's first line, looked at (with `MSG_PEEK`, so libssh2 still reads it) before the
/// handshake starts.
///
/// libssh2 1.10 reads the identification line one byte per call and never checks it: a peer
/// that floods bytes without a newline kept it busy past any timeout, and an HTTP server on the
/// port was blamed on dropbear's connection limit. Here the line must end within libssh2's
/// 255 bytes and start with `SSH-`, or the port is said not to speak SSH, with the bytes shown.
enum ServerBanner {
    /// The most libssh2 1.10 takes as the identification line, newline included.
    static let limit = 255

    enum Outcome: Equatable {
        case ssh
        /// Something else answered: its first bytes.
        case notSSH([UInt8])
        /// The server closed the connection before sending a whole line.
        case closed
        case timedOut
        case cancelled
    }

    static func inspect(socket: Int32, deadline: Deadline, wakeup: Wakeup) -> Outcome {
        let prefix = Array("SSH-".utf8)
        var buffer = [UInt8](repeating: 0, count: limit)
        while true {
            let peeked = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, Int32(MSG_PEEK)) }
            if peeked == 0 { return .closed }
            if peeked < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR { return .closed }
            let bytes = Array(buffer[0..<max(peeked, 0)])
            if let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(bytes[...newline])
                return line.starts(with: prefix) ? .ssh : .notSSH(line)
            }
            if bytes.count >= limit { return .notSSH(bytes) }
            if wakeup.isSignaled { return .cancelled }
            if deadline.hasPassed {
                return bytes.isEmpty || prefix.starts(with: bytes.prefix(prefix.count)) ? .timedOut : .notSSH(bytes)
            }
            // Peeked bytes keep the socket readable: with part of a line there, wait for the
            // rest in short naps (watching only the wakeup pipe); with nothing, wait for data.
            var fds = [
                pollfd(fd: wakeup.fd, events: Int16(POLLIN), revents: 0),
                pollfd(fd: socket, events: Int16(POLLIN), revents: 0),
            ]
            let slice = min(deadline.remainingMilliseconds, bytes.isEmpty ? 250 : 10)
            _ = poll(&fds, bytes.isEmpty ? 2 : 1, slice)
        }
    }

    /// The bytes as a quoted, printable string: `\r`, `\n`, `\t`, `\"`, `\\` and `\xNN` for
    /// anything else outside printable ASCII, so nothing reaches the terminal as a control
    /// sequence. At most `maximum` bytes, then `…`.
    static func rendered(_ bytes: [UInt8], maximum: Int = 48) -> String {
        var text = "\""
        for byte in bytes.prefix(maximum) {
            switch byte {
            case UInt8(ascii: "\r"): text += "\\r"
            case UInt8(ascii: "\n"): text += "\\n"
            case UInt8(ascii: "\t"): text += "\\t"
            case UInt8(ascii: "\""): text += "\\\""
            case UInt8(ascii: "\\"): text += "\\\\"
            case 0x20...0x7e: text.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16)
                text += "\\x" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        text += "\""
        return bytes.count > maximum ? text + "…" : text
    }
}
