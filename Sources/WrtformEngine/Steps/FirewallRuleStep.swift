import WrtformUCI

/// Ensures a traffic rule (`config rule` in /etc/config/firewall, LuCI's Network → Firewall → Traffic
/// Rules), found again by its `name`, so a rule made in LuCI under that name is updated, not doubled.
/// Checked as strictly as fw4 reads it: zones exist, ports and ranges, addresses of the rule's
/// family, IPv6 suffix matches (`::5/-64`) — fw4 skips a rule it cannot parse with only a warning.
public struct FirewallRuleStep: Step {
    public let id: String
    public let location: SourceLocation?
    public let name: String
    public let family: AddressFamily?
    public let options: [OptionSetting]
    public let requires: [Requirement]
    public var kind: StepKind { .firewallRule }
    public var files: [String] { [ConfigFile.firewall] }

    /// The fields this kind knows: LuCI's, then the rest of fw4's rule options (fw4.uc `parse_rule`).
    public static let fields: Set<String> = [
        "name", "src", "dest", "proto", "src_ip", "dest_ip", "src_port", "dest_port", "family", "icmp_type", "target",
        "enabled", "src_mac", "device", "direction", "ipset", "helper", "set_helper", "limit", "limit_burst",
        "utc_time",
        "start_date", "stop_date", "start_time", "stop_time", "weekdays", "mark", "set_mark", "set_xmark", "dscp",
        "set_dscp", "counter", "log", "log_limit",
    ]
    static let targets = ["ACCEPT", "REJECT", "DROP", "MARK", "NOTRACK"]
    static let protocols: Set<String> = [
        "tcp", "udp", "tcpudp", "icmp", "icmpv6", "ipv6-icmp", "all", "esp", "ah", "gre", "sctp", "udplite",
    ]

    public init(_ input: StepInput) throws {
        try input.allowOnly(Self.fields)
        id = input.id
        location = input.location
        name = try input.requiredString("name")
        try Validate.configValue(name).map { throw input.error("name", "name: \($0)") }

        var family: AddressFamily?
        if let text = try input.string("family") {
            switch text.lowercased() {
            case "ipv4": family = .ipv4
            case "ipv6": family = .ipv6
            case "any": family = nil
            default: throw input.error("family", "family '\(text)' is not ipv4, ipv6 or any")
            }
        }
        for key in ["src_ip", "dest_ip"] {
            for item in try Self.words(input, key) {
                switch FirewallAddress.parse(item) {
                case .failure(let problem): throw input.error(key, "\(key): \(problem.message)")
                case .success(let address):
                    if let family, address.family != family {
                        throw input.error(
                            key,
                            "\(key) '\(item)' is \(address.family.rawValue), but the rule's family is \(family.rawValue)"
                        )
                    }
                    family = address.family
                }
            }
        }
        self.family = family

        let protocols = try Self.words(input, "proto").map { $0.lowercased() }
        for proto in protocols
        where !Self.protocols.contains(proto) && !(Int(proto).map { (0...255).contains($0) } ?? false) {
            throw input.error(
                "proto",
                "proto '\(proto)' is not one of \(Self.protocols.sorted().joined(separator: ", ")) or a protocol number"
            )
        }
        let carriesPorts =
            protocols.isEmpty || protocols.contains { ["tcp", "udp", "tcpudp", "sctp", "udplite"].contains($0) }
        for key in ["src_port", "dest_port"] {
            let ports = try Self.words(input, key)
            if !ports.isEmpty && !carriesPorts {
                throw input.error(key, "\(key) needs proto tcp or udp (proto is \(protocols.joined(separator: " ")))")
            }
            for port in ports {
                let bare = port.hasPrefix("!") ? String(port.dropFirst()) : port
                if let problem = Validate.portOrRange(bare.replacingOccurrences(of: ":", with: "-")) {
                    throw input.error(key, "\(key): \(problem)")
                }
            }
        }
        let icmp = try Self.words(input, "icmp_type")
        if !icmp.isEmpty {
            guard protocols.contains(where: { ["icmp", "icmpv6", "ipv6-icmp"].contains($0) }) else {
                throw input.error("icmp_type", "icmp_type needs proto icmp (or icmpv6)")
            }
            for type in icmp
            where !type.utf8.allSatisfy({
                $0 < 128 && (Character(Unicode.Scalar($0)).isASCIIAlnum || "-/!".utf8.contains($0))
            }) {
                throw input.error("icmp_type", "icmp_type '\(type)' is not an ICMP type name or number")
            }
        }
        let target = (try input.string("target") ?? "ACCEPT").uppercased()
        guard Self.targets.contains(target) else {
            throw input.error("target", "target '\(target)' is not one of \(Self.targets.joined(separator: ", "))")
        }
        if target == "MARK" && input.fields["set_mark"] == nil && input.fields["set_xmark"] == nil {
            throw input.error("target", "target MARK needs set_mark or set_xmark")
        }
        let source = try input.string("src")
        let destination = try input.string("dest")
        if target == "NOTRACK" && (source == nil || source == "*") {
            throw input.error("target", "target NOTRACK needs a source zone (src)")
        }
        var requires: [Requirement] = []
        for (key, zone) in [("src", source), ("dest", destination)] {
            guard let zone, zone != "*" else { continue }
            guard Validate.zoneName(zone) else { throw input.error(key, "'\(zone)' is not a valid zone name") }
            requires.append(Requirement(.zone(zone), at: input.location(of: key)))
        }
        self.requires = requires

        // Written in LuCI's order; the family only when the playbook gives or implies one.
        var options = [OptionSetting("name", .single(name))]
        if let family { options.append(OptionSetting("family", .single(family.rawValue))) }
        let ordered = ["src", "src_ip", "src_port", "dest", "dest_ip", "dest_port", "proto", "icmp_type"]
        for key in ordered where input.fields[key] != nil {
            let items = try Self.words(input, key)
            options.append(OptionSetting(key, items.count == 1 ? .single(items[0]) : .list(items)))
        }
        options.append(OptionSetting("target", .single(target)))
        options += try input.options(excluding: Set(["name", "family", "target"] + ordered))
        self.options = options
    }

    public func check(_ state: RouterState) throws -> [Change] {
        try SectionEnsure(
            file: ConfigFile.firewall, match: SectionMatch(type: "rule", options: ["name": .single(name)]),
            options: options
        )
        .check(state, stepID: id, location: location)
    }

    /// A field's values: a list, or one value whose words fw4 reads apart (`dest_port '80 443'`).
    static func words(_ input: StepInput, _ key: String) throws -> [String] {
        guard let values = try input.strings(key) else { return [] }
        let words = values.flatMap { $0.split(separator: " ").map(String.init) }
        for word in words {
            if let problem = Validate.configValue(word) { throw input.error(key, "\(key): \(problem)") }
        }
        guard !words.isEmpty else { throw input.error(key, "\(key) of step '\(input.id)' is empty") }
        return words
    }
}
