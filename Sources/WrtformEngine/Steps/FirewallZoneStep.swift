import WrtformUCI

/// Ensures a firewall zone, matched by its `name` so a zone made in LuCI is updated, not duplicated.
/// Policies default to REJECT/ACCEPT/REJECT: a WAN-facing zone never accepts input unless asked.
public struct FirewallZoneStep: Step {
    public let id: String
    public let location: SourceLocation?
    public let name: String
    public let options: [OptionSetting]
    public let requires: [Requirement]
    public var kind: StepKind { .firewallZone }
    public var files: [String] { [ConfigFile.firewall] }
    public var provides: [Resource] { [.zone(name)] }

    static let policies: Set<String> = ["ACCEPT", "REJECT", "DROP"]

    public init(_ input: StepInput) throws {
        try input.allowOnly([], options: KnownOptions.zone)
        id = input.id
        location = input.location
        name = try input.requiredString("name")
        guard Validate.zoneName(name) else {
            throw input.error(
                "name", "'\(name)' is not a valid zone name (letters, digits, _ . / -, not starting with a digit)")
        }
        var options = try input.options(excluding: ["name"])
        for (key, fallback) in [("input", "REJECT"), ("output", "ACCEPT"), ("forward", "REJECT")] {
            if let option = options.first(where: { $0.key == key }) {
                let value = option.value.items.first ?? ""
                guard Self.policies.contains(value) else {
                    throw input.error(key, "\(key) policy '\(value)' is not ACCEPT, REJECT or DROP")
                }
            } else {
                options.append(OptionSetting(key, .single(fallback)))
            }
        }
        if let index = options.firstIndex(where: { $0.key == "network" }) {
            options[index].value = .list(
                options[index].value.items.flatMap { $0.split(separator: " ").map(String.init) })
        }
        self.options = options
        requires = (options.first { $0.key == "network" }?.value.items ?? []).map {
            Requirement(.interface($0), at: input.location(of: "network"))
        }
    }

    public func check(_ state: RouterState) throws -> [Change] {
        try SectionEnsure(
            file: ConfigFile.firewall, match: SectionMatch(type: "zone", options: ["name": .single(name)]),
            options: options
        )
        .check(state, stepID: id, location: location)
    }
}
