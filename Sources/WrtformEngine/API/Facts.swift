/// What `wrtform facts` prints: enough to know what the router can do, read in one round trip.
public struct Facts: Sendable, Codable, Equatable {
    /// /etc/openwrt_release as key → value (DISTRIB_RELEASE, DISTRIB_TARGET, …).
    public var release: [String: String]
    public var hostname: String
    /// Which of uci, jsonfilter, ubus, ifstatus, nft, fw4, … exist.
    public var tools: [String: Bool]
    /// "opkg", "apk" or "none".
    public var packageManager: String
    /// The package manager's version and how many packages are installed, when `facts` read its database.
    public var packageManagerVersion: String?
    public var installedPackages: Int?
    /// The files in /etc/config.
    public var configs: [String]
    /// The router's network devices (/sys/class/net); nil where none can be seen (a directory).
    public var devices: [String]?
    /// Devices the `config device` sections of /etc/config/network declare (netifd creates some
    /// of them: bridges, VLANs).
    public var declaredDevices: [String]?

    public init(
        release: [String: String] = [:], hostname: String = "", tools: [String: Bool] = [:],
        packageManager: String = "none", configs: [String] = []
    ) {
        self.release = release
        self.hostname = hostname
        self.tools = tools
        self.packageManager = packageManager
        self.configs = configs
    }

    public func has(_ tool: String) -> Bool { tools[tool] ?? false }

    static let probedTools = [
        "uci", "jsonfilter", "ubus", "ifstatus", "nft", "fw4", "sha256sum", "flock", "start-stop-daemon", "logread",
    ]
}
