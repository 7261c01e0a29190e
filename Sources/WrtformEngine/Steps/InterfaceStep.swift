import WrtformUCI

/// Ensures a network interface (`config interface 'wanppp'`) with the given options.
/// Options the step does not name stay as the user set them.
public struct InterfaceStep: Step {
    public let id: String
    public let location: SourceLocation?
    public let name: String
    public let options: [OptionSetting]
    public let secretKeys: Set<String>
    public let requires: [Requirement]
    public var kind: StepKind { .interface }
    public var files: [String] { [ConfigFile.network] }
    public var provides: [Resource] { [.interface(name)] }

    public init(_ input: StepInput) throws {
        try Self.allowKnown(input)
        id = input.id
        location = input.location
        name = try input.requiredString("name")
        try Self.validateName(name, input: input)
        options = try input.options(excluding: ["name"])
        try Self.validate(options, input: input, interface: name)
        secretKeys = input.secretOptionKeys
        requires = Self.tableRequirements(options, input: input)
    }

    public func check(_ state: RouterState) throws -> [Change] {
        try SectionEnsure(file: ConfigFile.network, match: SectionMatch(type: "interface", name: name), options: options)
            .check(state, stepID: id, location: location)
    }

    public var postChecks: [PostCheck] {
        [PostCheck("interface \(name) is known to netifd", command: "ifstatus '\(name)' >/dev/null")]
    }

    /// An interface section holds netifd's interface and device options and its proto's own.
    static func allowKnown(_ input: StepInput) throws {
        let proto = try input.string("proto")
        if let proto, let known = KnownOptions.interface(proto: proto) {
            try input.allowOnly(["name"], options: known, context: "for proto \(proto)")
        } else if let proto {
            try input.allowOnly(["name"], options: KnownOptions.interface, context: "(proto '\(proto)' is not one wrtform knows)")
        } else {
            try input.allowOnly(["name"], options: KnownOptions.interface(proto: nil))
        }
    }

    static func validateName(_ name: String, input: StepInput) throws {
        guard Validate.uciName(name) else {
            throw input.error("name", "'\(name)' is not a valid interface name (letters, digits, _)")
        }
        guard name.count <= 15 else {
            throw input.error("name", "interface name '\(name)' is longer than 15 characters")
        }
    }

    /// Checks the options netifd reads as numbers, and the PPPoE device-name limit.
    static func validate(_ options: [OptionSetting], input: StepInput, interface: String) throws {
        for option in options {
            let value = option.value.items.first ?? ""
            switch option.key {
            case "metric":
                guard Int(value).map({ $0 >= 0 }) == true else { throw input.error("metric", "metric '\(value)' is not a non-negative number") }
            case "mtu":
                guard let mtu = Int(value), (576...9216).contains(mtu) else {
                    throw input.error("mtu", "mtu '\(value)' is out of range (576-9216)")
                }
            case "proto":
                if let problem = pppDeviceProblem(interface: interface, proto: value) {
                    throw input.error("name", problem, hint: "use a shorter name, e.g. 'wanppp'")
                }
            default:
                break
            }
        }
    }

    /// The device of a PPP interface is `PROTO-NAME` (`pppoe-wanppp`), and Linux limits device names to
    /// 15 characters (IFNAMSIZ 16): a longer interface name never comes up.
    static func pppDeviceProblem(interface: String, proto: String) -> String? {
        guard ["pppoe", "pppoa", "pptp", "l2tp"].contains(proto), interface.count > 9 else { return nil }
        return "PPP interface name '\(interface)' is longer than 9 characters (its device pppoe-\(interface) would exceed 15)"
    }

    static func tableRequirements(_ options: [OptionSetting], input: StepInput) -> [Requirement] {
        options.filter { $0.key == "ip4table" || $0.key == "ip6table" }.compactMap { option in
            guard let table = option.value.items.first, !RoutingTables.isBuiltIn(table) else { return nil }
            return Requirement(.routingTable(table), at: input.location(of: option.key))
        }
    }
}
