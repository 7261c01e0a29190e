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
        try input.allowOnly(["config", "type", "name", "match", "options"])
        id = input.id
        location = input.location
        file = try UCISectionStep.configPath(input)
        let type = try input.requiredString("type")
        guard type.unicodeScalars.allSatisfy({ (33...126).contains($0.value) && $0 != "'" && $0 != "\"" }) else {
            throw input.error("type", "'\(type)' is not a valid section type")
        }
        let name = try input.string("name")
        if let name, !Validate.uciName(name) { throw input.error("name", "'\(name)' is not a valid section name (letters, digits, _)") }
        let matchOptions = try StepInput.options(from: try input.map("match") ?? [:], step: input)
        options = try StepInput.options(from: try input.map("options") ?? [:], step: input)
        if name == nil && matchOptions.isEmpty {
            throw EngineError(.invalidInput, "uci-section step '\(id)' needs a 'name' or a 'match' to find its section again", at: input.location)
        }
        match = SectionMatch(type: type, name: name, options: Dictionary(matchOptions.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 }))
        // The escape hatch must not get around the PPP device-name limit the interface step enforces.
        if file == ConfigFile.network, type == "interface", let name, let proto = options.first(where: { $0.key == "proto" })?.value.items.first,
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

    static func configPath(_ input: StepInput) throws -> String {
        let config = try input.requiredString("config")
        guard !config.isEmpty, config.allSatisfy({ $0.isASCIIAlnum || $0 == "_" || $0 == "-" }) else {
            throw input.error("config", "'\(config)' is not a uci config name (e.g. network, firewall, dhcp)")
        }
        return "/etc/config/\(config)"
    }
}
