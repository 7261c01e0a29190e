import WrtformUCI

/// Sets options on an existing section addressed as uci does ("lan", "@zone[0]", "@defaults[-1]").
public struct UCIOptionStep: Step {
    public let id: String
    public let location: SourceLocation?
    public let file: String
    public let reference: String
    public let options: [OptionSetting]
    public let secretKeys: Set<String>
    public var kind: StepKind { .uciOption }
    public var files: [String] { [file] }

    public init(_ input: StepInput) throws {
        try input.allowOnly(["config", "section", "options"])
        id = input.id
        location = input.location
        file = try UCISectionStep.configPath(input)
        reference = try input.requiredString("section")
        options = try StepInput.options(from: try input.map("options") ?? [:], step: input)
        guard !options.isEmpty else {
            throw EngineError(.invalidInput, "uci-option step '\(id)' sets no options", at: input.location)
        }
        let secretFields = (try input.map("options") ?? [:]).filter { $0.value.isSecret }.map(\.key)
        secretKeys = Set(secretFields).union(["password", "key", "psk"])
    }

    public func check(_ state: RouterState) throws -> [Change] {
        var state = state
        let document = try state.uci(file)
        guard let section = document.section(at: reference) else {
            throw EngineError(.notFound, "step '\(id)': \(file) has no section \(reference)", at: location)
        }
        if file == ConfigFile.network, section.type == "interface", let name = section.name,
            let proto = options.first(where: { $0.key == "proto" })?.value.items.first,
            let problem = InterfaceStep.pppDeviceProblem(interface: name, proto: proto)
        {
            throw EngineError(
                .invalidInput, "step '\(id)': \(problem)", at: location, hint: "use a shorter name, e.g. 'wanppp'")
        }
        // Journal the section by something that survives other edits: its name, or its current options.
        let match: SectionMatch
        if let name = section.name {
            match = SectionMatch(type: section.type, name: name)
        } else {
            let identity = section.options.filter { option in !options.contains { $0.key == option.key } }
            match = SectionMatch(
                type: section.type, options: Dictionary(identity.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 }))
        }
        return try SectionEnsure(file: file, match: match, options: options).check(
            state, stepID: id, location: location, mustExist: true)
    }
}
