/// The key a server proved it holds during the handshake, as OpenSSH shows it.
public struct HostKey: Sendable, Hashable, CustomStringConvertible {
    /// The key's algorithm name, e.g. `ssh-ed25519`.
    public var type: String
    /// `SHA256:` and the unpadded base64 of the SHA-256 of the key blob, as `ssh-keygen -l` prints.
    public var fingerprint: String

    public init(type: String, fingerprint: String) {
        self.type = type
        self.fingerprint = fingerprint
    }

    public var description: String { "\(type) \(fingerprint)" }
}
