import WrtformUCI

/// Ensures a network interface (`config interface 'wanppp'`) with the given options.
/// Options the step does not name stay as the user set them.
///
/// A PPPoE interface runs over a port other interfaces share (`wan` under IPoE and MAP-E). netifd
/// copies an interface's device options (`mtu`, `ipv6`, …) onto its lower device when that device
/// has no `config device` section of its own: `ipv6 '0'` on wanppp would turn IPv6 off on `wan`.
/// The step therefore ensures that section (`option name 'wan'`, nothing else), and refuses `mtu`
/// on PPP interfaces: the session's MTU belongs in `pppd_options`.
public struct InterfaceStep: Step {
    public let id: String
    public let location: SourceLocation?
    public let name: String
    public let options: [OptionSetting]
    public let secretKeys: Set<String>
    public let requires: [Requirement]
    /// The Ethernet port under a PPP session, which gets a `config device` section; nil otherwise.
    public let lowerDevice: String?
    public var kind: StepKind { .interface }
    public var files: [String] { [ConfigFile.network] }
    public var provides: [Resource] { [.interface(name)] }

    /// Protocols whose interface is a PPP session (device `PROTO-NAME`), run by pppd.
    static let pppProtocols: Set<String> = ["pppoe", "pppoa", "pptp", "l2tp"]

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
        let proto = options.first { $0.key == "proto" }?.value.items.first
        let device = options.first { $0.key == "device" }?.value.items.first
        lowerDevice = proto == "pppoe" ? device.flatMap(Self.portName) : nil
    }

    public func check(_ state: RouterState) throws -> [Change] {
        var changes: [Change] = []
        if let device = lowerDevice {
            var state = state
            let document = try state.uci(ConfigFile.network)
            let match = SectionMatch(type: "device", options: ["name": .single(device)])
            if match.find(in: document).isEmpty {
                let carried = try carriedOptions(port: device, in: document)
                changes.append(
                    .addSection(
                        file: ConfigFile.network, match: match,
                        options: [OptionSetting("name", .single(device))] + carried, position: nil))
            }
        }
        let match = SectionMatch(type: "interface", name: name)
        changes += try SectionEnsure(file: ConfigFile.network, match: match, options: options).check(
            state, stepID: id, location: location)
        // An older recipe's `mtu` on the PPP interface: taken off (pppd_options carries the session's MTU).
        var state = state
        if let proto = options.first(where: { $0.key == "proto" })?.value.items.first,
            Self.pppProtocols.contains(proto),
            let old = try state.uci(ConfigFile.network).section(named: name)?["mtu"]
        {
            changes.append(
                .setOptions(
                    file: ConfigFile.network, match: match, options: [OptionChange(key: "mtu", old: old, new: nil)]))
        }
        return changes
    }

    /// Device options the port's other interfaces set today (a cloned `macaddr` on `wan`, say): netifd
    /// applies them only while the port has no section of its own, so the new section carries them.
    func carriedOptions(port: String, in document: UCIFile) throws -> [OptionSetting] {
        let others = document.sections(ofType: "interface").filter {
            $0.name != name && $0["device"]?.items.first == port
        }
        return try Self.deviceOptions.compactMap { key in
            let values = others.compactMap { section in section[key].map { (section.name ?? "?", $0) } }
            guard let first = values.first else { return nil }
            if let other = values.first(where: { !$0.1.isEquivalent(to: first.1) }) {
                throw EngineError(
                    .conflict,
                    "step '\(id)': interfaces \(first.0) and \(other.0) set different \(key) for port \(port)",
                    at: location,
                    hint: "add a `config device` section for \(port) with the \(key) you want, then plan again")
            }
            return OptionSetting(key, first.1)
        }
    }

    /// The device options netifd takes from an interface section (device.c dev_attrs) that a user sets.
    static let deviceOptions = ["macaddr", "mtu", "mtu6", "txqueuelen", "ipv6"]

    public func reason(for change: Change) -> String? {
        switch change {
        case .addSection(_, let match, let options, _) where match.type == "device":
            let carried = options.map(\.key).filter { $0 != "name" }
            let keeping = carried.isEmpty ? "" : "; keeps \(carried.joined(separator: ", ")) its other interfaces set"
            return lowerDevice.map {
                "so \(name)'s options (ipv6, mtu) stay off the port \($0), which IPoE/MAP-E share\(keeping)"
            }
        case .setOptions(_, _, let options)
        where options.count == 1 && options[0].key == "mtu" && options[0].new == nil:
            return "netifd sets an interface's mtu on its lower device too; pppd_options carries the session's MTU"
        default:
            return nil
        }
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
            try input.allowOnly(
                ["name"], options: KnownOptions.interface, context: "(proto '\(proto)' is not one wrtform knows)")
        } else {
            try input.allowOnly(["name"], options: KnownOptions.interface(proto: nil))
        }
    }

    /// A plain port name ("wan", "eth1", "lan4") that a bare `config device` section may describe.
    /// Aliases (`@wan`), VLANs (`eth0.2`) and bridges have sections or semantics of their own: left alone.
    static func portName(_ device: String) -> String? {
        guard !device.hasPrefix("br-"), device.count <= 15,
            device.utf8.allSatisfy({
                $0 < 128
                    && (Character(Unicode.Scalar($0)).isASCIIAlnum || $0 == UInt8(ascii: "_")
                        || $0 == UInt8(ascii: "-"))
            })
        else { return nil }
        return device
    }

    static func validateName(_ name: String, input: StepInput) throws {
        guard Validate.uciName(name) else {
            throw input.error("name", "'\(name)' is not a valid interface name (letters, digits, _)")
        }
        guard name.count <= 15 else {
            throw input.error("name", "interface name '\(name)' is longer than 15 characters")
        }
    }

    /// Checks the options netifd reads as numbers, the PPPoE device-name limit, and `mtu` on PPP.
    static func validate(_ options: [OptionSetting], input: StepInput, interface: String) throws {
        for option in options {
            let value = option.value.items.first ?? ""
            switch option.key {
            case "metric":
                guard Int(value).map({ $0 >= 0 }) == true else {
                    throw input.error("metric", "metric '\(value)' is not a non-negative number")
                }
            case "mtu":
                guard let mtu = Int(value), (576...9216).contains(mtu) else {
                    throw input.error("mtu", "mtu '\(value)' is out of range (576-9216)")
                }
                if let proto = options.first(where: { $0.key == "proto" })?.value.items.first,
                    pppProtocols.contains(proto)
                {
                    throw pppMTUError(interface: interface, mtu: value, input: input)
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

    /// netifd applies an interface's `mtu` to its lower device as well (the shared `wan` port would drop to
    /// 1454, under MAP-E's 1500), and pppd then caps the session at that minus 8.
    static func pppMTUError(interface: String, mtu: String, input: StepInput) -> EngineError {
        input.error(
            "mtu",
            "mtu on PPP interface '\(interface)' is also set on its lower device by netifd (shrinking the port IPoE/MAP-E share)",
            hint: "set the session's MTU with pppd_options: 'mtu \(mtu) mru \(mtu)'")
    }

    /// The device of a PPP interface is `PROTO-NAME` (`pppoe-wanppp`), and Linux limits device names to
    /// 15 characters (IFNAMSIZ 16): a longer interface name never comes up.
    static func pppDeviceProblem(interface: String, proto: String) -> String? {
        guard pppProtocols.contains(proto), interface.count > 9 else { return nil }
        return
            "PPP interface name '\(interface)' is longer than 9 characters (its device pppoe-\(interface) would exceed 15)"
    }

    /// Table names must be in rt_tables (netifd drops what it cannot resolve); numbers need no entry.
    static func tableRequirements(_ options: [OptionSetting], input: StepInput) -> [Requirement] {
        options.filter { $0.key == "ip4table" || $0.key == "ip6table" }.compactMap { option in
            guard let table = option.value.items.first, !RoutingTables.isBuiltIn(table), Int(table) == nil else {
                return nil
            }
            return Requirement(.routingTable(table), at: input.location(of: option.key))
        }
    }
}
