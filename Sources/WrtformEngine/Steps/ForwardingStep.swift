/// Ensures a zone-to-zone forwarding (lan → wan_pppoe), matched by its src and dest.
public struct ForwardingStep: Step {
    public let id: String
    public let location: SourceLocation?
    public let source: String
    public let destination: String
    public let requires: [Requirement]
    public var kind: StepKind { .forwarding }
    public var files: [String] { [ConfigFile.firewall] }

    public init(_ input: StepInput) throws {
        try input.allowOnly(["src", "dest"])
        id = input.id
        location = input.location
        source = try input.requiredString("src")
        destination = try input.requiredString("dest")
        requires = [
            Requirement(.zone(source), at: input.location(of: "src")),
            Requirement(.zone(destination), at: input.location(of: "dest")),
        ]
    }

    public func check(_ state: RouterState) throws -> [Change] {
        let match = SectionMatch(type: "forwarding", options: ["src": .single(source), "dest": .single(destination)])
        return try SectionEnsure(file: ConfigFile.firewall, match: match, options: []).check(
            state, stepID: id, location: location)
    }
}
