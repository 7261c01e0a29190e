/// What `wrtform import` takes from the router.
public struct ImportOptions: Sendable {
    /// The playbook's `name:`.
    public var name: String
    /// Configs under /etc/config to read; nil: network and firewall (every config with `all`).
    public var configs: [String]?
    /// Every config on the router when `configs` is nil.
    public var all: Bool
    /// Only steps of these kinds; nil: every kind.
    public var kinds: Set<StepKind>?
    /// Only these interfaces (and no other `config interface`); nil: all.
    public var interfaces: [String]?
    /// Also the sections a fresh 24.10 has, unchanged.
    public var includeStock: Bool

    public init(
        name: String = "imported", configs: [String]? = nil, all: Bool = false, kinds: Set<StepKind>? = nil,
        interfaces: [String]? = nil, includeStock: Bool = false
    ) {
        self.name = name
        self.configs = configs
        self.all = all
        self.kinds = kinds
        self.interfaces = interfaces
        self.includeStock = includeStock
    }

    /// The default configs: those wrtform's own step kinds live in.
    public static let defaultConfigs = ["network", "firewall"]
}
