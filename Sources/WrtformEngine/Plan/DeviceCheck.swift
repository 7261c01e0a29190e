import WrtformUCI

/// A device a step names (an interface's `device`, a bridge's `ports`) that the router neither
/// has (/sys/class/net) nor declares (`config device`): netifd would bring nothing up on it. A
/// warning, not an error — a USB modem or a VLAN can appear later.
enum DeviceCheck {
    static func warnings(for steps: [Plan.StepPlan], final state: RouterState, facts: Facts) -> [String] {
        // A directory (--root) has no devices to compare with.
        guard let present = facts.devices else { return [] }
        var state = state
        let network = try? state.uci(ConfigFile.network)
        let declared = network?.sections(ofType: "device").compactMap { $0["name"]?.items.first } ?? []
        let known = Set(present).union(declared)
        func isKnown(_ name: String) -> Bool {
            // `@wan`: another interface's device; `eth0.2`: a VLAN netifd makes on eth0.
            if name.utf8.first == UInt8(ascii: "@") || known.contains(name) { return true }
            if let dot = name.utf8.lastIndex(of: UInt8(ascii: ".")), let base = String(name.utf8[..<dot]) {
                return known.contains(base)
            }
            return false
        }
        var warnings: [String] = []
        for step in steps {
            for change in step.changes where change.path == ConfigFile.network {
                var named: [String] = []
                switch change {
                case .addSection(_, let match, let options, _):
                    named = options.filter { Self.names(type: match.type, key: $0.key) }.flatMap(\.value.values)
                case .setOptions(_, let match, let options):
                    named = options.filter { Self.names(type: match.type, key: $0.key) }.flatMap {
                        $0.new?.values ?? []
                    }
                default:
                    continue
                }
                for name in named where !isKnown(name) {
                    let line =
                        "step '\(step.id)' names device '\(name)', which the router does not have and no `config device` declares: "
                        + "netifd brings nothing up on it until it appears (the router has: \(present.filter { $0 != "lo" }.joined(separator: ", ")))"
                    if !warnings.contains(line) { warnings.append(line) }
                }
            }
        }
        return warnings
    }

    private static func names(type: String, key: String) -> Bool {
        (type == "interface" && (key == "device" || key == "ifname")) || (type == "device" && key == "ports")
    }
}
