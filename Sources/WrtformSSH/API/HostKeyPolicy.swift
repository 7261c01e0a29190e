/// How to decide whether the server's host key belongs to the router.
///
/// Required by `SSHConnection.connect`: there is deliberately no policy that accepts any
/// key, because a router reached through a spoofed address would otherwise receive the
/// password. The decision is made right after the key exchange, before any credential is sent.
public struct HostKeyPolicy: Sendable, CustomStringConvertible {
    enum Rule: Sendable {
        case knownHosts(file: String, acceptNew: Bool)
        case fingerprint(String)
    }

    let rule: Rule

    /// Strict check against an OpenSSH known_hosts file (plain, hashed `|1|…` and
    /// `[host]:port` entries). An unknown host is refused unless `acceptNew` is true, in which
    /// case its key is appended to the file (OpenSSH's `StrictHostKeyChecking accept-new`).
    /// A changed key is always refused.
    public static func knownHosts(file: String = defaultKnownHostsFile, acceptNew: Bool = false) -> HostKeyPolicy {
        HostKeyPolicy(rule: .knownHosts(file: file, acceptNew: acceptNew))
    }

    /// Accept exactly one key, given as OpenSSH prints its fingerprint (`SHA256:…`).
    /// For keys learnt another way (the router's console, a provisioning record).
    public static func fingerprint(_ fingerprint: String) -> HostKeyPolicy {
        HostKeyPolicy(rule: .fingerprint(fingerprint))
    }

    /// `~/.ssh/known_hosts`, where OpenSSH keeps the keys the user already trusts.
    public static var defaultKnownHostsFile: String { "~/.ssh/known_hosts" }

    public var description: String {
        switch rule {
        case .knownHosts(let file, let acceptNew):
            return acceptNew ? "known hosts in \(file), accepting new hosts" : "known hosts in \(file)"
        case .fingerprint(let fingerprint):
            return "pinned key \(fingerprint)"
        }
    }
}
