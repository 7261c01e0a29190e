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
    /// The hook as the playbook writes it (octal mode, sha256 of the content), to tell an edited or
    /// stale hook from ours; nil: not known, not compared.
    public var hookMode: String?
    public var hookHash: String?
    /// The tag the hook logs under (`logger -t TAG`), for its last log line; nil: it does not log.
    public var logTag: String?
    /// Fully qualified names the DDNS hook keeps pointed at the PPPoE address.
    public var hostnames: [String]
    public var maxMTU: Int
    /// The port under the PPPoE session (`wan`), which IPoE/MAP-E may share; nil: not known.
    public var lowerDevice: String?
    /// IPv6 traffic rules to the server by interface ID: the rule's name and its `dest_ip` (`::5/-64`).
    public var ipv6Rules: [IPv6Rule]
    /// The crontab line that re-runs the hook (the DDNS check); nil: the playbook has none.
    public var cronLine: String?
    /// The packages the playbook's package steps name, checked against the router's database.
    public var packages = PackageDoctor(steps: [])

    public struct IPv6Rule: Sendable, Equatable {
        public var name: String
        public var destination: String
        public init(name: String, destination: String) {
            self.name = name
            self.destination = destination
        }
    }

    public init(
        pppoeInterface: String, wanInterface: String? = nil, zone: String? = nil, table: String? = nil,
        ruleSource: String? = nil,
        redirectPorts: [String] = [], forwardingSource: String? = nil, hookPath: String? = nil, hookMode: String? = nil,
        hookHash: String? = nil, logTag: String? = nil, hostnames: [String] = [], maxMTU: Int = 1454,
        lowerDevice: String? = nil,
        ipv6Rules: [IPv6Rule] = [], cronLine: String? = nil
    ) {
        self.pppoeInterface = pppoeInterface
        self.wanInterface = wanInterface
        self.zone = zone
        self.table = table
        self.ruleSource = ruleSource
        self.redirectPorts = redirectPorts
        self.forwardingSource = forwardingSource
        self.hookPath = hookPath
        self.hookMode = hookMode
        self.hookHash = hookHash
        self.logTag = logTag
        self.hostnames = hostnames
        self.maxMTU = maxMTU
        self.lowerDevice = lowerDevice
        self.ipv6Rules = ipv6Rules
        self.cronLine = cronLine
    }

    /// Reads the setup out of a playbook's steps; nil when it has no PPPoE interface.
    public init?(steps: [any Step], hostnames: [String] = []) {
        guard
            let pppoe = steps.compactMap({ $0 as? InterfaceStep }).first(where: { step in
                step.options.contains { $0.key == "proto" && $0.value.items.first == "pppoe" }
            })
        else { return nil }
        pppoeInterface = pppoe.name
        wanInterface =
            steps.compactMap { $0 as? InterfaceOptionsStep }.first { $0.options.contains { $0.key == "metric" } }?.name
        let zoneStep = steps.compactMap { $0 as? FirewallZoneStep }.first { zone in
            zone.options.contains { $0.key == "network" && $0.value.items.contains(pppoe.name) }
        }
        zone = zoneStep?.name
        let tableName = pppoe.options.first { $0.key == "ip4table" }?.value.items.first
        table = tableName
        let rule = steps.compactMap { $0 as? NetworkRuleStep }.first {
            $0.family == .ipv4 && $0.match.options["lookup"]?.items.first == tableName
        }
        ruleSource = rule?.match.options["src"]?.items.first
        redirectPorts =
            zoneStep == nil
            ? [] : steps.compactMap { $0 as? RedirectStep }.filter { $0.source == zoneStep?.name }.map(\.sourcePort)
        forwardingSource =
            zoneStep == nil
            ? nil : steps.compactMap { $0 as? ForwardingStep }.first { $0.destination == zoneStep?.name }?.source
        let hook = steps.compactMap { $0 as? FileStep }.first { $0.path.hasPrefix("/etc/hotplug.d/iface/") }
        hookPath = hook?.path
        hookMode = hook?.mode
        hookHash = hook.map { SHA256.hex($0.content) }
        logTag = hook.flatMap { Self.loggerTag(in: String(decoding: $0.content, as: UTF8.self)) }
        self.hostnames = hostnames
        maxMTU = 1454
        lowerDevice = pppoe.lowerDevice
        ipv6Rules = steps.compactMap { $0 as? FirewallRuleStep }.filter { $0.family == .ipv6 }.compactMap { rule in
            rule.options.first { $0.key == "dest_ip" }?.value.items.first.map {
                IPv6Rule(name: rule.name, destination: $0)
            }
        }
        packages = PackageDoctor(steps: steps)
        cronLine =
            steps.compactMap { $0 as? CronJobStep }.first { step in hook.map { step.command.contains($0.path) } ?? false
            }?.line
    }

    /// The first literal tag a script logs under: `logger -t wrtform-ddns …` (also `-tTAG`, quoted).
    static func loggerTag(in script: String) -> String? {
        for line in script.split(whereSeparator: \.isNewline) {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let logger = words.firstIndex(where: { $0 == "logger" || $0.hasSuffix("/logger") }) else { continue }
            var index = logger + 1
            while index < words.count {
                let word = words[index]
                var tag: String?
                if word == "-t", index + 1 < words.count {
                    tag = words[index + 1]
                } else if word.hasPrefix("-t"), word.count > 2 {
                    tag = String(word.dropFirst(2))
                }
                if let tag {
                    let bare = tag.trimming("'\"")
                    return isTag(bare) ? bare : nil
                }
                index += 1
            }
        }
        return nil
    }

    static func isTag(_ text: String) -> Bool {
        !text.isEmpty && text.allSatisfy { $0.isASCIIAlnum || "_.-".contains($0) }
    }
}
