import WrtformUCI

/// Ensures a policy-routing rule (`config rule` / `config rule6`): what the server sends goes to table
/// 300. A bare address is written with /32 (or /128): 24.10's netifd reads a bare `src` as /0,
/// which would send every LAN host through the table.
///
/// A rule is found by what it selects (in, out, src, suppress_prefixlength) and its table; the same
/// rule written with the table's other spelling (`pppoe` for `300`) or a bare `src` is updated in place.
public struct NetworkRuleStep: Step {
    public let id: String
    public let location: SourceLocation?
    public let family: AddressFamily
    public let match: SectionMatch
    public let options: [OptionSetting]
    public let requires: [Requirement]
    public var kind: StepKind { .networkRule }
    public var files: [String] { [ConfigFile.network] }

    /// The fields this kind knows: netifd 24.10's rule options (iprule.c), plus `family`.
    public static let fields: Set<String> = [
        "family", "in", "out", "src", "dest", "lookup", "priority", "suppress_prefixlength", "invert", "tos", "mark",
        "uidrange", "action", "goto", "disabled",
    ]

    public init(_ input: StepInput) throws {
        try input.allowOnly(Self.fields)
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
            guard Validate.tableName(table) || Int(table).map({ $0 >= 0 }) == true else {
                throw input.error("lookup", "'\(table)' is not a valid routing table name or number")
            }
            settings.append(OptionSetting("lookup", .single(table)))
            matchOptions["lookup"] = .single(table)
            if !RoutingTables.isBuiltIn(table) && Int(table) == nil {
                requires.append(Requirement(.routingTable(table), at: input.location(of: "lookup")))
            }
        }
        if let length = try input.integer("suppress_prefixlength", in: 0...(family == .ipv4 ? 32 : 128)) {
            settings.append(OptionSetting("suppress_prefixlength", .single(String(length))))
            matchOptions["suppress_prefixlength"] = .single(String(length))
        }
        if let priority = try input.integer("priority", in: 0...2_147_483_647) {
            settings.append(OptionSetting("priority", .single(String(priority))))
        }
        if let action = try input.string("action") {
            guard ["prohibit", "unreachable", "blackhole", "throw"].contains(action) else {
                throw input.error("action", "action '\(action)' is not prohibit, unreachable, blackhole or throw")
            }
        }
        if let target = try input.string("goto"), Int(target) == nil {
            throw input.error("goto", "goto '\(target)' is not a rule priority (a number)")
        }
        settings += try input.options(excluding: [
            "family", "in", "out", "src", "dest", "lookup", "priority", "suppress_prefixlength",
        ])
        guard !matchOptions.isEmpty else {
            throw EngineError(
                .invalidInput, "network-rule step '\(input.id)' needs at least one of in, out, src, lookup",
                at: input.location)
        }
        match = SectionMatch(type: family == .ipv4 ? "rule" : "rule6", options: matchOptions)
        options = settings
        self.requires = requires
    }

    public func check(_ state: RouterState) throws -> [Change] {
        var state = state
        let document = try state.uci(ConfigFile.network)
        if match.find(in: document).isEmpty {
            let tables = RoutingTableStep.entries(state.file(ConfigFile.rtTables).text)
            if let fix = inPlaceFix(in: document, tables: tables) { return fix }
        }
        return try SectionEnsure(file: ConfigFile.network, match: match, options: options).check(
            state, stepID: id, location: location)
    }

    /// The same rule written by hand (or by an older recipe) with a bare `src`, or naming its table the
    /// other way (`pppoe` for `300`), is this rule: fix it in place rather than add a second rule beside
    /// it (with a bare src, every host would follow the table). The change is journaled by what stays the
    /// same (the section's name, or its unchanged match options), so apply and rollback find the section
    /// before and after the change.
    func inPlaceFix(in document: UCIFile, tables: [(id: Int, name: String)]) -> [Change]? {
        var alternatives: [String: [String]] = [:]
        if let source = match.options["src"]?.items.first, source.hasSuffix("/32") || source.hasSuffix("/128") {
            alternatives["src"] = [source, String(source.prefix { $0 != "/" })]
        }
        if let table = match.options["lookup"]?.items.first {
            let other =
                Int(table).flatMap { number in tables.first { $0.id == number }?.name }
                ?? tables.first { $0.name == table }.map { String($0.id) }
            if let other { alternatives["lookup"] = [table, other] }
        }
        guard !alternatives.isEmpty else { return nil }
        var candidates: [[String: UCIValue]] = [match.options]
        for (key, values) in alternatives {
            candidates = candidates.flatMap { base in values.map { value in base.merging([key: .single(value)]) { $1 } }
            }
        }
        var found: [UCISection] = []
        for candidate in candidates where candidate != match.options {
            for section in document.sections(ofType: match.type, matching: candidate) where !found.contains(section) {
                found.append(section)
            }
        }
        guard found.count == 1, let section = found.first else { return nil }
        let stable = match.options.filter { key, value in UCIValue.same(section[key], value) }
        // What changes must hold its old or its new value: the LAN rule beside it (same `in`, table main) is another rule.
        var either: [String: UCIValue] = [:]
        for (key, value) in match.options where !UCIValue.same(section[key], value) {
            either[key] = .list((section[key]?.items ?? []) + value.items)
        }
        let stableMatch: SectionMatch
        if let name = section.name {
            stableMatch = SectionMatch(type: match.type, name: name)
        } else {
            guard !stable.isEmpty else { return nil }
            stableMatch = SectionMatch(type: match.type, options: stable, compatible: either)
        }
        guard stableMatch.find(in: document).count == 1 else { return nil }
        let changes = options.compactMap { option -> OptionChange? in
            let current = section[option.key]
            return UCIValue.same(current, option.value)
                ? nil : OptionChange(key: option.key, old: current, new: option.value)
        }
        return [.setOptions(file: ConfigFile.network, match: stableMatch, options: changes)]
    }

    /// `ip rule` prints a table by its rt_tables name when it has one (`lookup pppoe` for 300), so a rule
    /// with a priority is looked up by its number, which `ip rule` prints first.
    public var postChecks: [PostCheck] {
        guard let table = match.options["lookup"]?.items.first else { return [] }
        let src = match.options["src"]?.items.first.map {
            $0.hasSuffix("/32") || $0.hasSuffix("/128") ? String($0.split(separator: "/")[0]) : $0
        }
        let flag = family == .ipv4 ? "-4" : "-6"
        let priority = options.first { $0.key == "priority" }?.value.items.first
        var command =
            priority.map { "ip \(flag) rule show | grep '^\($0):'" }
            ?? "ip \(flag) rule show | grep -F 'lookup \(table)'"
        if let src { command += " | grep -qF 'from \(src) '" } else { command += " >/dev/null" }
        return [PostCheck("the rule to table \(table) is in `ip rule`", command: command)]
    }
}
