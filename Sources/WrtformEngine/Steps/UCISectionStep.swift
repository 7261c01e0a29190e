import WrtformUCI

/// Ensures any UCI section in any config — for what no dedicated step kind covers (dhcp pools,
/// firewall rules). Matched by `name` when given, else by the `match` options.
public struct UCISectionStep: Step {
    public let id: String
    public let location: SourceLocation?
    public let file: String
    public let match: SectionMatch
    public let options: [OptionSetting]
    public let secretKeys: Set<String>
    public var kind: StepKind { .uciSection }
    public var files: [String] { [file] }

    public init(_ input: StepInput) throws {
        try input.allowOnly(["config", "type", "name", "match", "options", StepInput.extraOptionsKey])
        id = input.id
        location = input.location
        file = try UCISectionStep.configPath(input)
        let type = try input.requiredString("type")
        guard type.unicodeScalars.allSatisfy({ (33...126).contains($0.value) && $0 != "'" && $0 != "\"" }) else {
            throw input.error("type", "'\(type)' is not a valid section type")
        }
        let name = try input.string("name")
        if let name, !Validate.uciName(name) {
            throw input.error("name", "'\(name)' is not a valid section name (letters, digits, _)")
        }
        let matchOptions = try StepInput.options(from: try input.map("match") ?? [:], step: input)
        let given = try input.map("options") ?? [:]
        try Self.allowKnown(given, match: try input.map("match") ?? [:], config: file, type: type, input: input)
        let extra = try input.map(StepInput.extraOptionsKey) ?? [:]
        if let both = extra.keys.sorted().first(where: { given[$0] != nil }) {
            throw EngineError(
                .invalidInput,
                "uci-section step '\(id)': '\(both)' is both in options and in \(StepInput.extraOptionsKey)",
                at: extra[both]?.location ?? input.location, hint: "keep one of them")
        }
        options = try StepInput.options(from: given, step: input) + (try StepInput.options(from: extra, step: input))
        if name == nil && matchOptions.isEmpty {
            throw EngineError(
                .invalidInput, "uci-section step '\(id)' needs a 'name' or a 'match' to find its section again",
                at: input.location)
        }
        match = SectionMatch(
            type: type, name: name,
            options: Dictionary(matchOptions.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 }))
        // The escape hatch must not get around the PPP device-name limit the interface step enforces.
        if file == ConfigFile.network, type == "interface", let name,
            let proto = options.first(where: { $0.key == "proto" })?.value.items.first,
            let problem = InterfaceStep.pppDeviceProblem(interface: name, proto: proto)
        {
            throw input.error("name", problem, hint: "use a shorter name, e.g. 'wanppp'")
        }
        let secretFields = (try input.map("options") ?? [:]).filter { $0.value.isSecret }.map(\.key)
        secretKeys = Set(secretFields).union(["password", "key", "psk"])
    }

    public func check(_ state: RouterState) throws -> [Change] {
        try SectionEnsure(file: file, match: match, options: options).check(state, stepID: id, location: location)
    }

    /// On a section type wrtform knows (network interfaces, rules and devices; firewall zones,
    /// redirects, rules, forwardings, nats), options and match options must be ones OpenWrt reads;
    /// others go under `extra_options:`.
    static func allowKnown(
        _ options: [String: InputField], match: [String: InputField], config: String, type: String, input: StepInput
    ) throws {
        var proto: String?
        if case .scalar(let value)? = options["proto"]?.value { proto = value }
        let name = String(config.dropFirst("/etc/config/".count))
        guard let known = KnownOptions.section(config: name, type: type, proto: type == "interface" ? proto : nil)
        else { return }
        let given = (options.map { ($0.key, $0.value.location) } + match.map { ($0.key, $0.value.location) })
            .sorted { ($0.1?.line ?? 0, $0.1?.column ?? 0) < ($1.1?.line ?? 0, $1.1?.column ?? 0) }
        for (key, location) in given where !known.contains(key) {
            throw EngineError(
                .invalidInput, "uci-section step '\(input.id)': \(name) \(type) has no option '\(key)'",
                at: location ?? input.location,
                hint: Suggestion.hint(for: key, in: known.sorted())
                    ?? "options wrtform does not know go under \(StepInput.extraOptionsKey):")
        }
    }

    static func configPath(_ input: StepInput) throws -> String {
        let config = try input.requiredString("config")
        guard !config.isEmpty, config.allSatisfy({ $0.isASCIIAlnum || $0 == "_" || $0 == "-" }) else {
            throw input.error("config", "'\(config)' is not a uci config name (e.g. network, firewall, dhcp)")
        }
        return "/etc/config/\(config)"
    }
}
