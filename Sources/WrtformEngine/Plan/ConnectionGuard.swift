import WrtformUCI

/// Warns when a change touches the interface our SSH connection arrives through, its device (a
/// bridge), its firewall zone, or puts it into another zone: a mistake there cuts the session that
/// is making the change. Found from the session's own address (SSH_CONNECTION) among the static
/// addresses; a session over a DHCP or PPPoE address is not recognised.
enum ConnectionGuard {
    static func warnings(for steps: [Plan.StepPlan], initial: RouterState, connectedAddress: String?) -> [String] {
        guard let address = connectedAddress, !address.isEmpty else { return [] }
        var state = initial
        guard let network = try? state.uci(ConfigFile.network), let firewall = try? state.uci(ConfigFile.firewall)
        else { return [] }
        let bare = address.split(separator: "/").first.map(String.init) ?? address
        let interfaces = network.sections(ofType: "interface")
        guard
            let interface =
                (interfaces.first { Self.addresses(of: $0).contains { $0.address == bare } }
                ?? interfaces.first { Self.addresses(of: $0).contains { $0.contains(bare) } })?.name
        else { return [] }
        let zone = firewall.sections(ofType: "zone").first { section in
            (section["network"]?.items ?? []).flatMap { $0.split(separator: " ").map(String.init) }.contains(interface)
        }?["name"]?.items.first

        let device = network.section(named: interface)?["device"]?.items.first
        let arrival = "which this SSH session arrives through (\(bare))"

        var warnings: [String] = []
        for step in steps {
            for change in step.changes {
                let file: String
                let match: SectionMatch
                let networks: [String]?
                switch change {
                case .addSection(let f, let m, let options, _):
                    (file, match, networks) = (f, m, options.first { $0.key == "network" }?.value.items)
                case .setOptions(let f, let m, let options):
                    (file, match, networks) = (f, m, options.first { $0.key == "network" }?.new?.items)
                case .removeSection(let f, let m, _, _):
                    (file, match, networks) = (f, m, nil)
                default:
                    continue
                }
                let name = match.name ?? match.options["name"]?.items.first
                switch (file, match.type) {
                case (ConfigFile.network, "interface") where name == interface:
                    warnings.append("step '\(step.id)' changes interface '\(interface)', \(arrival)")
                case (ConfigFile.network, "device") where device != nil && name == device:
                    warnings.append(
                        "step '\(step.id)' changes device '\(device ?? "")' of interface '\(interface)', \(arrival)")
                case (ConfigFile.firewall, "zone") where zone != nil && name == zone:
                    warnings.append("step '\(step.id)' changes zone '\(zone ?? "")', \(arrival)")
                case (ConfigFile.firewall, "zone"):
                    let moved = (networks ?? []).flatMap { $0.split(separator: " ").map(String.init) }.contains(
                        interface)
                    if moved {
                        warnings.append(
                            "step '\(step.id)' puts interface '\(interface)' into zone '\(name ?? "?")', \(arrival)")
                    }
                default:
                    break
                }
            }
        }
        return warnings
    }

    /// An interface's static addresses: `ipaddr` items, each with its own /prefix or the
    /// section's `netmask`, and `ip6addr` items (matched exactly).
    private static func addresses(of section: UCISection) -> [Subnet] {
        let netmask = section["netmask"]?.items.first
        let six = (section["ip6addr"]?.items ?? []).flatMap { $0.split(separator: " ") }.map { item in
            Subnet(address: String(item.split(separator: "/").first ?? item), prefixLength: nil)
        }
        return six
            + (section["ipaddr"]?.items ?? []).flatMap { $0.split(separator: " ") }.map { item in
                let pieces = item.split(separator: "/", maxSplits: 1)
                let address = String(pieces.first ?? item[...])
                let length = pieces.count == 2 ? Int(pieces[1]) : netmask.flatMap(Subnet.prefixLength(ofNetmask:))
                return Subnet(address: address, prefixLength: length)
            }
    }

    /// An IPv4 address with its prefix length, if known: the session may arrive at another
    /// address of the same subnet (on `lo`, any of 127.0.0.0/8).
    private struct Subnet {
        var address: String
        var prefixLength: Int?

        func contains(_ other: String) -> Bool {
            guard let prefixLength, (0...32).contains(prefixLength),
                let mine = Self.value(address), let theirs = Self.value(other)
            else { return false }
            let mask: UInt32 = prefixLength == 0 ? 0 : ~UInt32(0) << UInt32(32 - prefixLength)
            return mine & mask == theirs & mask
        }

        static func value(_ text: String) -> UInt32? {
            guard Validate.ipv4(text) else { return nil }
            return text.split(separator: ".").reduce(UInt32(0)) { $0 << 8 | (UInt32($1) ?? 0) }
        }

        static func prefixLength(ofNetmask text: String) -> Int? {
            guard let mask = value(text) else { return nil }
            let length = mask.nonzeroBitCount
            return length == 32 || mask << UInt32(length) == 0 ? length : nil
        }
    }
}
