/// Why an SSH operation failed, as one line that says what is wrong, where (`user@host:port`)
/// and what to do.
///
/// Extensible like swift-nio-ssh's errors: match on `kind` (`error.kind == .hostKeyChanged`),
/// new kinds can be added without breaking callers. Messages never contain passwords,
/// passphrases or command text (commands may carry secrets).
public struct SSHError: Error, Sendable, CustomStringConvertible {
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case unreachable, connectTimedOut, handshakeFailed
            case hostKeyUnknown, hostKeyChanged, hostKeyRevoked, knownHostsUnusable
            case authenticationFailed, identityUnusable
            case commandTimedOut, outputTooLarge, channelFailed, connectionLost, closed
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// No TCP connection: name not resolved, refused, unreachable.
        public static let unreachable = Kind(.unreachable)
        /// The TCP connection, handshake or authentication did not finish within the connect timeout.
        public static let connectTimedOut = Kind(.connectTimedOut)
        /// The SSH handshake failed (no common algorithm, not an SSH server, …).
        public static let handshakeFailed = Kind(.handshakeFailed)
        /// The host key is not in known_hosts (and the policy does not accept new keys).
        public static let hostKeyUnknown = Kind(.hostKeyUnknown)
        /// The host key differs from the one recorded or pinned.
        public static let hostKeyChanged = Kind(.hostKeyChanged)
        /// known_hosts marks the key `@revoked`: refused always, even with accept-new.
        public static let hostKeyRevoked = Kind(.hostKeyRevoked)
        /// known_hosts cannot be read, or a new key cannot be recorded in it.
        public static let knownHostsUnusable = Kind(.knownHostsUnusable)
        /// The server refused every credential offered, or none could be offered.
        public static let authenticationFailed = Kind(.authenticationFailed)
        /// An identity file is missing, unreadable or not a private key (found before connecting).
        public static let identityUnusable = Kind(.identityUnusable)
        /// A command ran past its timeout.
        public static let commandTimedOut = Kind(.commandTimedOut)
        /// A command's output passed the per-command limit (`SSHConnection.defaultOutputLimit`).
        public static let outputTooLarge = Kind(.outputTooLarge)
        /// The server refused to open a channel or to run the command.
        public static let channelFailed = Kind(.channelFailed)
        /// The connection broke (server gone, network down, protocol error).
        public static let connectionLost = Kind(.connectionLost)
        /// The connection was already closed.
        public static let closed = Kind(.closed)

        public var description: String { base.rawValue }
    }

    public let kind: Kind
    /// Where it happened.
    public let target: SSHTarget
    /// The whole message, starting with the target.
    public let description: String
    /// The key the server offered, for host-key errors.
    public let hostKey: HostKey?

    init(_ kind: Kind, _ target: SSHTarget, _ message: String, hostKey: HostKey? = nil) {
        self.kind = kind
        self.target = target
        self.description = "\(target) \(message)"
        self.hostKey = hostKey
    }
}
