/// A read-only command run on the router after the reload: the change must be visible in the running
/// system (the rule in `ip rule`), not only in the files.
public struct PostCheck: Sendable, Hashable, Codable {
    public var description: String
    /// A busybox ash command; exit 0 means OK.
    public var command: String
    /// Needs OpenWrt's netifd/ubus running: reported as SKIP where the router has no ubus.
    public var needsNetifd: Bool

    public init(_ description: String, command: String, needsNetifd: Bool = true) {
        self.description = description
        self.command = command
        self.needsNetifd = needsNetifd
    }
}
