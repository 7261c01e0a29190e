import WrtformUCI

/// Ensures a policy-routing rule (`config rule` / `config rule6`): what the server sends goes to table
/// pppoe. A bare address is written with /32 (or /128): 24.10's netifd reads a bare `src` as /0,
/// which would send every LAN host through the table.
public struct NetworkRuleStep: Step {
    public let id: String
    public let location: SourceLocation?
    public let family: AddressFamily
    public let match: SectionMatch
    public let options: [OptionSetting]
    public let requires: [Requirement]
    public var kind: StepKind { .networkRule }
    public var files: [String] { [ConfigFile.network] }

    public init(_ input: StepInput) throws {
        try input.allowOnly(["family"], options: KnownOptions.rule)
        id = input.id
        location = input.location
        guard let family = AddressFamily(rawValue: try input.string("family") ?? "ipv4") else {
            throw input.error("family", "family must be ipv4 or ipv6")
        }
        self.family = family
        var settings: [OptionSetting] = []
        var requires: [Requirement] = []
        var matchOptions: [String: UCIValue] = [:]
        for key in ["in", "out"] {
            guard let interface = try input.string(key) else { continue }
            settings.append(OptionSetting(key, .single(interface)))
            matchOptions[key] = .single(interface)
            requires.append(Requirement(.interface(interface), at: input.location(of: key)))
        }
        for key in ["src", "dest"] {
            guard let address = try input.string(key) else { continue }
            if let problem = Validate.prefix(address, family: family) { throw input.error(key, problem) }
            let full = address.contains("/") ? address : address + (family == .ipv4 ? "/32" : "/128")
            settings.append(OptionSetting(key, .single(full)))
            if key == "src" { matchOptions[key] = .single(full) }
        }
        if let table = try input.string("lookup") {
            guard Validate.tableName(table) || Int(table) != nil else {
                throw input.error("lookup", "'\(table)' is not a valid routing table name")
            }
            settings.append(OptionSetting("lookup", .single(table)))
            matchOptions["lookup"] = .single(table)
            if !RoutingTables.isBuiltIn(table) && Int(table) == nil {
                requires.append(Requirement(.routingTable(table), at: input.location(of: "lookup")))
            }
        }
        if let priority = try input.integer("priority", in: 0...2_147_483_647) {
            settings.append(OptionSetting("priority", .single(String(priority))))
        }
        settings += try input.options(excluding: ["family", "in", "out", "src", "dest", "lookup", "priority"])
        guard !matchOptions.isEmpty else {
            throw EngineError(.invalidInput, "network-rule step '\(input.id)' needs at least one of in, out, src, lookup", at: input.location)
        }
        match = SectionMatch(type: family == .ipv4 ? "rule" : "rule6", options: matchOptions)
        options = settings
        self.requires = requires
    }

    public func check(_ state: RouterState) throws -> [Change] {
        var state = state
        let document = try state.uci(ConfigFile.network)
        if match.find(in: document).isEmpty, let fix = bareSourceFix(in: document) { return fix }
        return try SectionEnsure(file: ConfigFile.network, match: match, options: options).check(state, stepID: id, location: location)
    }

    /// The same rule written by hand (or by the original recipe) with a bare `src` is this rule with the
    /// trap in it: fix it in place rather than add a second rule beside it, which would leave every host
    /// following the table. The change is journaled by what stays the same (the section's name, or its
    /// other match options), so apply and rollback find the section before and after `src` changes.
    func bareSourceFix(in document: UCIFile) -> [Change]? {
        guard let source = match.options["src"]?.items.first, source.hasSuffix("/32") || source.hasSuffix("/128") else { return nil }
        var bareOptions = match.options
        bareOptions["src"] = .single(String(source.prefix { $0 != "/" }))
        let found = document.sections(ofType: match.type, matching: bareOptions)
        guard found.count == 1, let section = found.first else { return nil }
        var stable = match.options
        stable["src"] = nil
        let stableMatch: SectionMatch
        if let name = section.name {
            stableMatch = SectionMatch(type: match.type, name: name)
        } else {
            guard !stable.isEmpty else { return nil }
            stableMatch = SectionMatch(type: match.type, options: stable)
        }
        guard stableMatch.find(in: document).count == 1 else { return nil }
        let changes = options.compactMap { option -> OptionChange? in
            let current = section[option.key]
            return UCIValue.same(current, option.value) ? nil : OptionChange(key: option.key, old: current, new: option.value)
        }
        return [.setOptions(file: ConfigFile.network, match: stableMatch, options: changes)]
    }

    public var postChecks: [PostCheck] {
        guard let table = match.options["lookup"]?.items.first else { return [] }
        let src = match.options["src"]?.items.first.map { $0.hasSuffix("/32") || $0.hasSuffix("/128") ? String($0.split(separator: "/")[0]) : $0 }
        let flag = family == .ipv4 ? "-4" : "-6"
        var command = "ip \(flag) rule show | grep -F 'lookup \(table)'"
        if let src { command += " | grep -qF 'from \(src) '" } else { command += " >/dev/null" }
        return [PostCheck("the rule to table \(table) is in `ip rule`", command: command)]
    }
}
