import WrtformUCI

/// A step with `absent: true`: what it names must be gone. It is found exactly as the step kind
/// finds it when ensuring it (a redirect by src + src_dport and a family and protocols it shares),
/// and only the identifying fields matter: values to set are ignored.
public struct AbsentStep: Step {
    enum Target: Sendable {
        /// Remove the section `match` finds.
        case section(file: String, match: SectionMatch)
        /// Delete these options of an interface (interface-options).
        case interfaceOptions(name: String, keys: [String])
        /// Delete these options of a section addressed as uci does (uci-option).
        case options(file: String, reference: String, keys: [String])
        /// Take these lines out of a plain file.
        case lines(file: String, lines: [String])
        /// Delete the file.
        case file(path: String)
    }

    public let id: String
    public let kind: StepKind
    public let location: SourceLocation?
    let target: Target

    public var files: [String] {
        switch target {
        case .section(let file, _), .options(let file, _, _), .lines(let file, _): return [file]
        case .interfaceOptions: return [ConfigFile.network]
        case .file(let path): return [path]
        }
    }

    /// A file removed is shown as a size, never as its lines: it may hold a secret the playbook
    /// no longer marks as one.
    public var writesSecretFile: Bool {
        if case .file = target { return true }
        return false
    }

    public init(_ input: StepInput) throws {
        guard let kind = StepKind(rawValue: input.kind) else {
            throw EngineError(.invalidInput, "unknown step kind '\(input.kind)'", at: input.location)
        }
        guard let flag = try input.string("absent"), ["true", "1", "yes"].contains(flag.lowercased()) else {
            throw input.error(
                "absent", "absent of step '\(input.id)' must be true (leave it out to ensure the \(kind.rawValue))")
        }
        id = input.id
        self.kind = kind
        location = input.location
        var rest = input
        rest.fields["absent"] = nil
        target = try Self.target(kind, rest)
    }

    private static func target(_ kind: StepKind, _ input: StepInput) throws -> Target {
        switch kind {
        case .redirect:
            let source = try input.string("src") ?? "wan"
            let port = try input.requiredString("src_dport")
            if let problem = Validate.portOrRange(port) { throw input.error("src_dport", problem) }
            guard let family = AddressFamily(rawValue: try input.string("family") ?? "ipv4") else {
                throw input.error("family", "family must be ipv4 or ipv6")
            }
            let protocols = try input.strings("proto") ?? ["tcp"]
            return .section(
                file: ConfigFile.firewall,
                match: SectionMatch(
                    type: "redirect", options: ["src": .single(source), "src_dport": .single(port)],
                    compatible: ["family": .single(family.rawValue), "proto": .list(protocols)]))
        case .file:
            // In normal form, as a file step stores it: `//etc/config/x` is /etc/config/x.
            return .file(path: try FileStep.validatePath(try input.requiredString("path"), input: input))
        case .routingTable:
            let table = try RoutingTableStep(input)
            return .lines(file: ConfigFile.rtTables, lines: ["\(table.tableID)\t\(table.name)"])
        case .sysupgradeKeep:
            return .lines(file: ConfigFile.sysupgrade, lines: try SysupgradeKeepStep(input).paths)
        case .interfaceOptions:
            let name = try input.requiredString("name")
            try InterfaceStep.validateName(name, input: input)
            let keys = input.fields.keys.filter { $0 != "name" }.sorted()
            guard !keys.isEmpty else {
                throw EngineError(
                    .invalidInput, "interface-options step '\(input.id)' names no options to remove", at: input.location
                )
            }
            for key in keys where !Validate.uciName(key) {
                throw input.error(key, "'\(key)' is not a valid uci option name")
            }
            return .interfaceOptions(name: name, keys: keys)
        case .uciOption:
            let option = try UCIOptionStep(input)
            return .options(file: option.file, reference: option.reference, keys: option.options.map(\.key))
        default:
            // interface, firewall-zone, forwarding, network-rule, uci-section (and kinds added later)
            // keep one section: the section they would add to an empty router is theirs.
            let step = try StepCatalog.make(input)
            guard case .addSection(let file, let match, _, _)? = OwnedStepBuilder.ownSection(of: step) else {
                throw EngineError(
                    .invalidInput, "\(kind.rawValue) step '\(input.id)' cannot be made absent", at: input.location)
            }
            return .section(file: file, match: match)
        }
    }

    public func check(_ state: RouterState) throws -> [Change] {
        var state = state
        switch target {
        case .section(let file, let match):
            let document = try state.uci(file)
            let found = match.find(in: document)
            if found.count > 1 {
                throw EngineError(
                    .conflict,
                    "step '\(id)': \(file) has \(found.count) sections matching \(match); which one to remove is unclear",
                    at: location, hint: "give the step a more specific match, or remove the duplicates by hand")
            }
            guard let section = found.first else { return [] }
            return [
                .removeSection(
                    file: file, match: match, options: section.options.map { OptionSetting($0.key, $0.value) },
                    position: section.index)
            ]
        case .interfaceOptions(let name, let keys):
            let match = SectionMatch(type: "interface", name: name)
            guard let section = match.find(in: try state.uci(ConfigFile.network)).first else { return [] }
            return Self.deletions(keys, of: section, file: ConfigFile.network, match: match)
        case .options(let file, let reference, let keys):
            guard let section = try state.uci(file).section(at: reference) else { return [] }
            let match =
                section.name.map { SectionMatch(type: section.type, name: $0) }
                ?? SectionMatch(
                    type: section.type,
                    options: Dictionary(
                        section.options.filter { !keys.contains($0.key) }.map { ($0.key, $0.value) },
                        uniquingKeysWith: { $1 }))
            return Self.deletions(keys, of: section, file: file, match: match)
        case .lines(let file, let lines):
            let current = state.file(file)
            guard let content = current.content else { return [] }
            // Lines are split on LF bytes and kept with their own line ends: a CRLF file stays CRLF.
            let ranges = LineFile.ranges(content)
            let kept = ranges.filter { range in
                let line = LineFile.trimmed(LineFile.body(content[range]))
                return !(lines.contains(line) || lines.contains(Self.tableLine(line) ?? ""))
            }
            guard kept.count != ranges.count else { return [] }
            var new = current
            new.content = kept.flatMap { content[$0] }
            return [.writeFile(path: file, old: current, new: new)]
        case .file(let path):
            let current = state.file(path)
            return current.exists
                ? [
                    .writeFile(
                        path: path, old: current, new: FileState(content: nil, mode: current.mode, owner: current.owner)
                    )
                ] : []
        }
    }

    /// An rt_tables line as `ID<TAB>NAME`, however it is spaced.
    private static func tableLine(_ line: String) -> String? {
        guard let entry = RoutingTableStep.entries(line).first else { return nil }
        return "\(entry.id)\t\(entry.name)"
    }

    private static func deletions(_ keys: [String], of section: UCISection, file: String, match: SectionMatch)
        -> [Change]
    {
        let changes = keys.compactMap { key in section[key].map { OptionChange(key: key, old: $0, new: nil) } }
        return changes.isEmpty ? [] : [.setOptions(file: file, match: match, options: changes)]
    }
}
