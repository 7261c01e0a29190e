import WrtformUCI

/// Ensures a port forward (`config redirect`, target DNAT), matched by its source zone and port,
/// and a family and protocols it shares, so a forward made in LuCI for the same port is updated
/// rather than duplicated, while an IPv6 or UDP-only forward of that port is left alone.
public struct RedirectStep: Step {
    public let id: String
    public let location: SourceLocation?
    public let source: String
    public let sourcePort: String
    public let family: AddressFamily
    public let protocols: [String]
    public let options: [OptionSetting]
    public let requires: [Requirement]
    public var kind: StepKind { .redirect }
    public var files: [String] { [ConfigFile.firewall] }

    public init(_ input: StepInput) throws {
        try input.allowOnly([], options: KnownOptions.redirect)
        id = input.id
        location = input.location
        source = try input.string("src") ?? "wan"
        sourcePort = try input.requiredString("src_dport")
        if let problem = Validate.portOrRange(sourcePort) { throw input.error("src_dport", problem) }
        let destination = try input.string("dest") ?? "lan"
        let destinationIP = try input.requiredString("dest_ip")
        guard let family = AddressFamily(rawValue: try input.string("family") ?? "ipv4") else {
            throw input.error("family", "family must be ipv4 or ipv6")
        }
        self.family = family
        if destinationIP.contains("/") {
            throw input.error("dest_ip", "dest_ip must be a single address, not a prefix")
        }
        if let problem = Validate.prefix(destinationIP, family: family) { throw input.error("dest_ip", problem) }
        let destinationPort = try input.string("dest_port") ?? sourcePort
        if let problem = Validate.portOrRange(destinationPort) { throw input.error("dest_port", problem) }
        let protocols = try input.strings("proto") ?? ["tcp"]
        self.protocols = protocols
        for proto in protocols where !["tcp", "udp", "tcpudp", "icmp", "all"].contains(proto) {
            throw input.error("proto", "proto '\(proto)' is not tcp, udp, tcpudp, icmp or all")
        }
        let target = try input.string("target") ?? "DNAT"
        guard target == "DNAT" || target == "SNAT" else { throw input.error("target", "target must be DNAT or SNAT") }

        var options: [OptionSetting] = []
        if let name = try input.string("name") { options.append(OptionSetting("name", .single(name))) }
        options += [
            OptionSetting("target", .single(target)),
            OptionSetting("family", .single(family.rawValue)),
            OptionSetting("proto", protocols.count == 1 ? .single(protocols[0]) : .list(protocols)),
            OptionSetting("dest", .single(destination)),
            OptionSetting("dest_ip", .single(destinationIP)),
            OptionSetting("dest_port", .single(destinationPort)),
        ]
        let known: Set<String> = [
            "name", "src", "src_dport", "dest", "dest_ip", "dest_port", "family", "proto", "target",
        ]
        options += try input.options(excluding: known)
        self.options = options
        requires = [
            Requirement(.zone(source), at: input.location(of: "src")),
            Requirement(.zone(destination), at: input.location(of: "dest")),
        ]
    }

    public func check(_ state: RouterState) throws -> [Change] {
        let match = SectionMatch(
            type: "redirect", options: ["src": .single(source), "src_dport": .single(sourcePort)],
            compatible: ["family": .single(family.rawValue), "proto": .list(protocols)])
        return try SectionEnsure(file: ConfigFile.firewall, match: match, options: options).check(
            state, stepID: id, location: location)
    }
}
