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
        try SectionEnsure(file: ConfigFile.network, match: match, options: options).check(state, stepID: id, location: location)
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
