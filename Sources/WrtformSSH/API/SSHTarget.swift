/// Where to connect: a router's address, its SSH port and the user to log in as.
///
/// `description` is the `user@host:port` form every error message starts with, so a
/// message always says which router refused.
public struct SSHTarget: Sendable, Hashable, CustomStringConvertible {
    /// A host name, an IPv4 address or an IPv6 address (without brackets).
    public var host: String
    public var port: Int
    public var user: String

    public init(host: String, port: Int = 22, user: String = "root") {
        self.host = host
        self.port = port
        self.user = user
    }

    /// `root@192.168.1.1`, `root@127.0.0.1:2222`, `root@[fd00::1]:2222` — the port only when
    /// it is not 22, as people write it.
    public var description: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return port == 22 ? "\(user)@\(shownHost)" : "\(user)@\(shownHost):\(port)"
    }

    /// The name OpenSSH files this host under in known_hosts: `host` on port 22,
    /// `[host]:port` otherwise (lower-cased, as OpenSSH does).
    var knownHostsName: String {
        let name = host.lowercased()
        return port == 22 ? name : "[\(name)]:\(port)"
    }
}
