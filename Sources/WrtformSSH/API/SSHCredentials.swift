import Foundation

/// What to offer the router, tried in this order: the ssh-agent's keys, the identity files,
/// then the password (as `password`, or as `keyboard-interactive` when that is all the
/// server offers).
///
/// Never printed in full: `description` and reflection leave the password out, so a stray
/// `print(credentials)` cannot leak it.
public struct SSHCredentials: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Supplies the passphrase of an encrypted identity file (its path as given); nil skips
    /// the key. Called only for keys that are encrypted, at most once per key and connection.
    public typealias PassphraseProvider = @Sendable (_ identityFile: String) -> String?

    /// Whether to offer the ssh-agent's keys.
    public var agent: Bool
    /// The agent's socket; nil means `SSH_AUTH_SOCK`.
    public var agentSocket: String?
    /// Private key files (ed25519, ecdsa, rsa; OpenSSH or PEM format). `~/` is expanded.
    public var identityFiles: [String]
    public var passphrase: PassphraseProvider?
    /// root's password; a fresh OpenWrt has one and no keys yet.
    public var password: String?

    public init(
        agent: Bool = true, agentSocket: String? = nil, identityFiles: [String] = [],
        passphrase: PassphraseProvider? = nil, password: String? = nil
    ) {
        self.agent = agent
        self.agentSocket = agentSocket
        self.identityFiles = identityFiles
        self.passphrase = passphrase
        self.password = password
    }

    /// The identity files OpenSSH would try that exist: `~/.ssh/id_ed25519`, `id_ecdsa`, `id_rsa`.
    public static func defaultIdentityFiles() -> [String] {
        ["~/.ssh/id_ed25519", "~/.ssh/id_ecdsa", "~/.ssh/id_rsa"].filter {
            FileManager.default.fileExists(atPath: LocalPath.expand($0))
        }
    }

    /// Which of `files` are encrypted private keys (they need a passphrase), as given.
    public static func encryptedIdentityFiles(_ files: [String]) -> [String] {
        files.filter {
            if case .encrypted = IdentityFile(path: $0).inspect() { return true }
            return false
        }
    }

    public var description: String {
        var parts: [String] = []
        if agent { parts.append(agentSocket.map { "agent at \($0)" } ?? "agent") }
        parts += identityFiles.map { "key \($0)" }
        if password != nil { parts.append("password (hidden)") }
        return parts.isEmpty ? "no credentials" : parts.joined(separator: ", ")
    }

    public var debugDescription: String { "SSHCredentials(\(description))" }

    public var customMirror: Mirror {
        Mirror(self, children: ["description": description], displayStyle: .struct)
    }
}
