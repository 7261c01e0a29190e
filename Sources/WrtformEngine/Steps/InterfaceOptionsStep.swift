/// Sets options on an interface that already exists (a metric, a table); it fails clearly,
/// at plan time, if the interface does not exist rather than creating a half-configured one.
public struct InterfaceOptionsStep: Step {
    public let id: String
    public let location: SourceLocation?
    public let name: String
    public let options: [OptionSetting]
    public let secretKeys: Set<String>
    public let requires: [Requirement]
    let mtuLocation: SourceLocation?
    public var kind: StepKind { .interfaceOptions }
    public var files: [String] { [ConfigFile.network] }

    public init(_ input: StepInput) throws {
        try InterfaceStep.allowKnown(input)
        id = input.id
        location = input.location
        name = try input.requiredString("name")
        try InterfaceStep.validateName(name, input: input)
        options = try input.options(excluding: ["name"])
        guard !options.isEmpty else {
            throw EngineError(.invalidInput, "interface-options step '\(id)' sets no options", at: location)
        }
        try InterfaceStep.validate(options, input: input, interface: name)
        secretKeys = input.secretOptionKeys
        mtuLocation = input.fields["mtu"]?.location
        requires =
            [Requirement(.interface(name), at: input.location(of: "name"))]
            + InterfaceStep.tableRequirements(options, input: input)
    }

    public func check(_ state: RouterState) throws -> [Change] {
        var state = state
        if let mtu = options.first(where: { $0.key == "mtu" })?.value.items.first {
            let section = try state.uci(ConfigFile.network).section(named: name)
            let proto = options.first { $0.key == "proto" }?.value.items.first ?? section?["proto"]?.items.first
            if let proto, InterfaceStep.pppProtocols.contains(proto) {
                throw EngineError(
                    .invalidInput,
                    "step '\(id)': mtu on PPP interface '\(name)' is also set on its lower device by netifd (shrinking the port IPoE/MAP-E share)",
                    at: mtuLocation ?? location,
                    hint: "set the session's MTU with pppd_options: 'mtu \(mtu) mru \(mtu)'")
            }
        }
        return try SectionEnsure(
            file: ConfigFile.network, match: SectionMatch(type: "interface", name: name), options: options
        )
        .check(state, stepID: id, location: location, mustExist: true)
    }
}
