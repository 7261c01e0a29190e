/// What doctor checks, taken from a playbook's steps: the PPPoE interface, its zone and table, the
/// rule and port forwards, the hook, and the DDNS host names.
public struct DoctorSetup: Sendable {
    public var pppoeInterface: String
    public var wanInterface: String?
    public var zone: String?
    public var table: String?
    public var ruleSource: String?
    public var redirectPorts: [String]
    public var forwardingSource: String?
    public var hookPath: String?
    /// Fully qualified names the DDNS hook keeps pointed at the PPPoE address.
    public var hostnames: [String]
    public var maxMTU: Int

    public init(
        pppoeInterface: String, wanInterface: String? = nil, zone: String? = nil, table: String? = nil, ruleSource: String? = nil,
        redirectPorts: [String] = [], forwardingSource: String? = nil, hookPath: String? = nil, hostnames: [String] = [], maxMTU: Int = 1454
    ) {
        self.pppoeInterface = pppoeInterface
        self.wanInterface = wanInterface
        self.zone = zone
        self.table = table
        self.ruleSource = ruleSource
        self.redirectPorts = redirectPorts
        self.forwardingSource = forwardingSource
        self.hookPath = hookPath
        self.hostnames = hostnames
        self.maxMTU = maxMTU
    }

    /// Reads the setup out of a playbook's steps; nil when it has no PPPoE interface.
    public init?(steps: [any Step], hostnames: [String] = []) {
        guard let pppoe = steps.compactMap({ $0 as? InterfaceStep }).first(where: { step in
            step.options.contains { $0.key == "proto" && $0.value.items.first == "pppoe" }
        }) else { return nil }
        pppoeInterface = pppoe.name
        wanInterface = steps.compactMap { $0 as? InterfaceOptionsStep }.first { $0.options.contains { $0.key == "metric" } }?.name
        let zoneStep = steps.compactMap { $0 as? FirewallZoneStep }.first { zone in
            zone.options.contains { $0.key == "network" && $0.value.items.contains(pppoe.name) }
        }
        zone = zoneStep?.name
        let tableName = pppoe.options.first { $0.key == "ip4table" }?.value.items.first
        table = tableName
        let rule = steps.compactMap { $0 as? NetworkRuleStep }.first { $0.match.options["lookup"]?.items.first == tableName }
        ruleSource = rule?.match.options["src"]?.items.first
        redirectPorts = steps.compactMap { $0 as? RedirectStep }.filter { $0.source == zoneStep?.name }.map(\.sourcePort)
        forwardingSource = steps.compactMap { $0 as? ForwardingStep }.first { $0.destination == zoneStep?.name }?.source
        hookPath = steps.compactMap { $0 as? FileStep }.first { $0.path.hasPrefix("/etc/hotplug.d/iface/") }?.path
        self.hostnames = hostnames
        maxMTU = 1454
    }
}
