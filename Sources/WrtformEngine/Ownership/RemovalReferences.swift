import WrtformUCI

/// A plan that removes an interface, zone or routing table that config it leaves in place still
/// names would leave a zone covering nothing, a forwarding netifd/fw4 skip, a rule netifd drops
/// silently. Checked on the planned files, so a referrer the plan removes or changes too is fine.
enum RemovalReferences {
    struct Names {
        var interfaces: Set<String>
        var zones: Set<String>
        var tables: Set<String>

        init(_ state: RouterState) throws {
            var state = state
            let network = try state.uci(ConfigFile.network)
            let firewall = try state.uci(ConfigFile.firewall)
            interfaces = Set(network.sections(ofType: "interface").compactMap(\.name))
            zones = Set(firewall.sections(ofType: "zone").compactMap { $0["name"]?.items.first })
            tables = Set(
                RoutingTableStep.entries(state.file(ConfigFile.rtTables).text).flatMap { [$0.name, String($0.id)] })
        }
    }

    static func check(from initial: RouterState, to final: RouterState, steps: [Plan.StepPlan], graph: StepGraph) throws
    {
        let before = try Names(initial)
        let after = try Names(final)
        let interfaces = before.interfaces.subtracting(after.interfaces)
        let zones = before.zones.subtracting(after.zones)
        let tables = before.tables.subtracting(after.tables)
        guard !interfaces.isEmpty || !zones.isEmpty || !tables.isEmpty else { return }

        var final = final
        let network = try final.uci(ConfigFile.network)
        let firewall = try final.uci(ConfigFile.firewall)
        var problems: [(resource: String, referrer: String)] = []
        for section in firewall.sections {
            let label = describe(section)
            if section.type == "zone" {
                let covered = (section["network"]?.items ?? []).flatMap { $0.split(separator: " ").map(String.init) }
                for name in covered where interfaces.contains(name) {
                    problems.append(("interface '\(name)'", "\(label) in \(ConfigFile.firewall) (network)"))
                }
            }
            if ["forwarding", "redirect", "rule", "nat"].contains(section.type) {
                for key in ["src", "dest"] {
                    if let name = section[key]?.items.first, zones.contains(name) {
                        problems.append(("zone '\(name)'", "\(label) in \(ConfigFile.firewall) (\(key))"))
                    }
                }
            }
        }
        for section in network.sections {
            let label = describe(section)
            let interfaceKeys: [String]
            let tableKeys: [String]
            switch section.type {
            case "rule", "rule6":
                interfaceKeys = ["in", "out"]
                tableKeys = ["lookup"]
            case "route", "route6":
                interfaceKeys = ["interface"]
                tableKeys = ["table"]
            case "interface":
                interfaceKeys = []
                tableKeys = ["ip4table", "ip6table"]
            default:
                interfaceKeys = []
                tableKeys = []
            }
            for key in interfaceKeys {
                if let name = section[key]?.items.first, interfaces.contains(name) {
                    problems.append(("interface '\(name)'", "\(label) in \(ConfigFile.network) (\(key))"))
                }
            }
            for key in tableKeys {
                if let name = section[key]?.items.first, tables.contains(name) {
                    problems.append(("routing table '\(name)'", "\(label) in \(ConfigFile.network) (\(key))"))
                }
            }
        }
        guard let problem = problems.first else { return }
        let remover = steps.first { step in step.changes.contains { removes(problem.resource, $0) } }
        let who = remover.map { "step '\($0.id)' removes" } ?? "the plan removes"
        let more = problems.count > 1 ? " (and \(problems.count - 1) more reference(s))" : ""
        throw EngineError(
            .conflict,
            "\(who) \(problem.resource), but \(problem.referrer) still refers to it\(more); nothing was written",
            at: remover.flatMap { step in graph.ordered.first { $0.id == step.id }?.location },
            hint:
                "remove or change the referrer too (in the playbook or by hand), or keep the \(problem.resource.split(separator: " ").dropLast().joined(separator: " "))"
        )
    }

    private static func describe(_ section: UCISection) -> String {
        if let name = section["name"]?.items.first { return "\(section.type) '\(name)'" }
        if let name = section.name { return "\(section.type) '\(name)'" }
        let keys = ["src", "dest", "src_dport", "in", "out", "lookup", "interface", "target"]
        let shown = keys.compactMap { key in section[key].map { "\(key)=\($0.displayText)" } }
        return "\(section.type) [\(shown.joined(separator: " "))]"
    }

    private static func removes(_ resource: String, _ change: Change) -> Bool {
        switch change {
        case .removeSection(let file, let match, let options, _):
            if file == ConfigFile.network, match.type == "interface", let name = match.name {
                return resource == "interface '\(name)'"
            }
            if file == ConfigFile.firewall, match.type == "zone",
                let name = options.first(where: { $0.key == "name" })?.value.items.first
            {
                return resource == "zone '\(name)'"
            }
            return false
        case .writeFile(let path, _, _):
            return path == ConfigFile.rtTables && resource.hasPrefix("routing table")
        default:
            return false
        }
    }
}
