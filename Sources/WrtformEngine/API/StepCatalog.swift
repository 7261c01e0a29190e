/// Builds the step of a playbook entry's kind, validating its fields.
public enum StepCatalog {
    public static func make(_ input: StepInput) throws -> any Step {
        guard let kind = StepKind(rawValue: input.kind) else {
            throw EngineError(
                .invalidInput, "unknown step kind '\(input.kind)'", at: input.location,
                hint: Suggestion.hint(for: input.kind, in: StepKind.names))
        }
        // A package step's `absent: true` means "not installed": a step of its own, not a removal of owned config.
        if kind == .package { return try PackageStep(input) }
        if input.fields["absent"] != nil { return try AbsentStep(input) }
        switch kind {
        case .routingTable: return try RoutingTableStep(input)
        case .interface: return try InterfaceStep(input)
        case .interfaceOptions: return try InterfaceOptionsStep(input)
        case .firewallZone: return try FirewallZoneStep(input)
        case .forwarding: return try ForwardingStep(input)
        case .redirect: return try RedirectStep(input)
        case .networkRule: return try NetworkRuleStep(input)
        case .file: return try FileStep(input)
        case .uciSection: return try UCISectionStep(input)
        case .uciOption: return try UCIOptionStep(input)
        case .sysupgradeKeep: return try SysupgradeKeepStep(input)
        case .cronJob: return try CronJobStep(input)
        case .firewallRule: return try FirewallRuleStep(input)
        case .package: return try PackageStep(input)
        case .service: return try ServiceStep(input)
        }
    }
}
