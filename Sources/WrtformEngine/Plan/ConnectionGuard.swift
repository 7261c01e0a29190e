import WrtformUCI

/// Warns when a change touches the interface, or the firewall zone, that our SSH connection arrives
/// through: a mistake there cuts the session that is making the change.
enum ConnectionGuard {
    static func warnings(for steps: [Plan.StepPlan], initial: RouterState, connectedAddress: String?) -> [String] {
        guard let address = connectedAddress, !address.isEmpty else { return [] }
        var state = initial
        guard let network = try? state.uci(ConfigFile.network), let firewall = try? state.uci(ConfigFile.firewall) else { return [] }
        let bare = address.split(separator: "/").first.map(String.init) ?? address
        guard let interface = network.sections(ofType: "interface").first(where: { section in
            (section["ipaddr"]?.items ?? []).contains { $0.split(separator: "/").first.map(String.init) == bare }
        })?.name else { return [] }
        let zone = firewall.sections(ofType: "zone").first { section in
            (section["network"]?.items ?? []).flatMap { $0.split(separator: " ").map(String.init) }.contains(interface)
        }?["name"]?.items.first

        var warnings: [String] = []
        for step in steps {
            for change in step.changes {
                let match: SectionMatch
                switch change {
                case .addSection(_, let m, _, _), .setOptions(_, let m, _), .removeSection(_, let m, _, _): match = m
                default: continue
                }
                if change.path == ConfigFile.network && match.type == "interface" && match.name == interface {
                    warnings.append("step '\(step.id)' changes interface '\(interface)', which this SSH session arrives through (\(bare))")
                }
                if let zone, change.path == ConfigFile.firewall && match.type == "zone" && match.options["name"]?.items.first == zone {
                    warnings.append("step '\(step.id)' changes zone '\(zone)', which this SSH session arrives through (\(bare))")
                }
            }
        }
        return warnings
    }
}
