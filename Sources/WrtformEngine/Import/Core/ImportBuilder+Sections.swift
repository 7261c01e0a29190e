import Foundation
import WrtformUCI

/// Config sections into steps: the dedicated kind when it reproduces the section exactly, else a
/// `uci-section` found by its name, its `name` option, or the options that identify its type.
extension ImportBuilder {
    /// Option names whose values are secrets (beyond the engine's password, key, psk). A PPPoE
    /// `username` counts: it is the ISP account, as the OCN playbook treats it.
    static let secretOptions: Set<String> = UnifiedDiff.defaultSecretOptions.union([
        "secret", "private_key", "preshared_key", "sae_password", "auth_secret", "acct_secret", "dae_secret",
        "priv_key_pwd", "wpa_psk", "token", "api_key", "username",
    ])

    static func isSecret(_ key: String) -> Bool {
        secretOptions.contains(key) || key.hasSuffix("password") || key.hasSuffix("_secret") || key.hasSuffix("_psk")
    }

    /// Options that tell apart the unnamed sections of a type (a rule by what it matches).
    static let identifying: [String: [String]] = [
        "rule": [
            "src", "dest", "proto", "src_ip", "dest_ip", "src_port", "dest_port", "family", "icmp_type", "src_mac",
            "target",
        ],
        "redirect": ["src", "src_dport", "dest", "dest_ip", "proto", "family"],
        "forwarding": ["src", "dest"], "device": ["name"], "bridge-vlan": ["device", "vlan"],
        "route": ["interface", "target"], "route6": ["interface", "target"], "host": ["mac", "ip"],
        "domain": ["name", "ip"], "include": ["path"], "ipset": ["name"], "wifi-iface": ["device", "mode", "ssid"],
    ]

    mutating func importConfig(_ config: String) {
        let path = "/etc/config/\(config)"
        let document: UCIFile
        do {
            document = try state.uci(path)
        } catch {
            result.warnings.append("left out \(path): it does not parse as uci (\(error))")
            return
        }
        for (position, section) in document.sections.enumerated() {
            importSection(config, document, section, position: position)
        }
    }

    mutating func importSection(_ config: String, _ document: UCIFile, _ section: UCISection, position: Int) {
        let path = "/etc/config/\(config)"
        if !options.includeStock, isStock(config, section) { return }
        if config == "network", section.type == "interface", let only = options.interfaces,
            !only.contains(section.name ?? "")
        {
            return
        }
        let origin =
            section.name.map { "\(path), \(section.type) '\($0)'" }
            ?? "\(path), section \(position + 1) (unnamed \(section.type)\(section["name"].map { " '\($0.values.joined())'" } ?? ""))"
        let label = section.name ?? section["name"]?.values.first ?? "\(section.type)\(position + 1)"
        var values: [ImportedField] = []
        for option in section.options {
            let texts = option.value.values
            if let bad = texts.first(where: { $0.contains("{{") || Validate.configValue($0) != nil }) {
                _ = bad
                result.warnings.append(
                    "left out \(origin): option \(option.key) holds text a playbook cannot carry (add it by hand)")
                return
            }
            if Self.isSecret(option.key), case .single(let value) = option.value, !value.isEmpty {
                let name = secret(
                    named: "\(label)_\(option.key)", value: value,
                    origin: "option \(option.key) of \(origin.dropFirst(path.count + 2))")
                values.append(ImportedField(option.key, .secret(name)))
            } else {
                values.append(
                    ImportedField(
                        option.key,
                        option.value.isList ? .list(option.value.values) : .text(option.value.values.first ?? "")))
            }
        }
        let typed = typedStep(config, section, values, origin: origin)
        guard allowed(typed?.kind ?? .uciSection) else { return }
        let group = Self.group(config, section.type)
        let stock = !stockCounterparts(config, section).isEmpty
        for var candidate in [typed].compactMap({ $0 })
            + genericSteps(config, document, section, values, origin: origin)
        {
            if stock {
                candidate.note =
                    "a fresh 24.10 has this section (changed here): --adopt owns its options, never the section"
            }
            if keep(candidate, group: group) { return }
        }
        result.warnings.append("left out \(origin): no step reproduces it exactly (add it by hand)")
    }

    /// Dependency order: devices before interfaces, zones before forwardings, rules and redirects.
    static func group(_ config: String, _ type: String) -> Int {
        switch (config, type) {
        case ("network", "device"), ("network", "bridge-vlan"), ("network", "switch"), ("network", "switch_vlan"),
            ("network", "globals"):
            return 1
        case ("network", "interface"): return 2
        case ("firewall", "zone"): return 3
        case ("firewall", "forwarding"): return 4
        case ("network", "rule"), ("network", "rule6"): return 5
        case ("network", _): return 6
        case ("firewall", "redirect"): return 8
        case ("firewall", _): return 7
        default: return 9
        }
    }

    /// Whether a fresh 24.10 has this section with these options (board-specific values aside).
    func isStock(_ config: String, _ section: UCISection) -> Bool {
        stockCounterparts(config, section).contains { stock in
            let ignored = StockConfig.boardSpecific[section.type] ?? []
            func options(_ s: UCISection) -> [String: [String]] {
                Dictionary(
                    s.options.filter { !ignored.contains($0.key) }.map { ($0.key, $0.value.values) },
                    uniquingKeysWith: { $1 })
            }
            return options(stock) == options(section)
        }
    }

    /// The sections of a fresh 24.10 that this one is (changed or not): same name, or same `name`
    /// option, or the one unnamed section of its type.
    func stockCounterparts(_ config: String, _ section: UCISection) -> [UCISection] {
        guard let stock = StockConfig.file(config) else { return [] }
        let candidates: [UCISection]
        if let name = section.name {
            candidates = stock.section(named: name).map { [$0] } ?? []
        } else if let name = section["name"] {
            candidates = stock.sections(ofType: section.type).filter {
                $0.name == nil && $0["name"].map { $0.values == name.values } == true
            }
        } else {
            // The one with the same identifying options (a forwarding by src and dest; defaults by type).
            let keys = Self.identifying[section.type] ?? []
            candidates = stock.sections(ofType: section.type).filter { stock in
                stock.name == nil && stock["name"] == nil
                    && keys.allSatisfy { stock[$0]?.values == section[$0]?.values }
            }
        }
        return candidates.filter { $0.type == section.type }
    }

    func typedStep(_ config: String, _ section: UCISection, _ values: [ImportedField], origin: String) -> ImportedStep?
    {
        let keys = Set(values.map(\.key))
        func text(_ key: String) -> String? {
            if case .text(let value)? = values.first(where: { $0.key == key })?.value { return value }
            return nil
        }
        switch (config, section.type) {
        case ("network", "interface"):
            guard let name = section.name, !keys.contains("name") else { return nil }
            return ImportedStep(
                id: name, kind: .interface, origin: origin, fields: [ImportedField("name", .text(name))] + values)
        case ("firewall", "zone"):
            guard let name = text("name") else { return nil }
            return ImportedStep(id: "zone-\(name)", kind: .firewallZone, origin: origin, fields: values)
        case ("firewall", "forwarding"):
            guard let src = text("src"), let dest = text("dest"), keys == ["src", "dest"] else { return nil }
            return ImportedStep(id: "forwarding-\(src)-\(dest)", kind: .forwarding, origin: origin, fields: values)
        case ("firewall", "redirect"):
            let id = text("name") ?? [text("src"), text("src_dport")].compactMap { $0 }.joined(separator: "-")
            return ImportedStep(id: "forward-\(id)", kind: .redirect, origin: origin, fields: values)
        case ("network", "rule"), ("network", "rule6"):
            guard !keys.contains("family") else { return nil }
            let id = section.name ?? text("priority").map { "rule-\($0)" } ?? "rule"
            let family = section.type == "rule" ? "ipv4" : "ipv6"
            return ImportedStep(
                id: id, kind: .networkRule, origin: origin, fields: [ImportedField("family", .text(family))] + values)
        default:
            return nil
        }
    }

    func genericSteps(
        _ config: String, _ document: UCIFile, _ section: UCISection, _ values: [ImportedField], origin: String
    ) -> [ImportedStep] {
        func step(_ id: String, name: String?, match: [ImportedField], options: [ImportedField]) -> ImportedStep {
            var fields = [ImportedField("config", .text(config)), ImportedField("type", .text(section.type))]
            if let name { fields.append(ImportedField("name", .text(name))) }
            if !match.isEmpty { fields.append(ImportedField("match", .map(match))) }
            if !options.isEmpty { fields.append(ImportedField("options", .map(options))) }
            return ImportedStep(id: id, kind: .uciSection, origin: origin, fields: fields)
        }
        if let name = section.name {
            return [step("\(config)-\(name)", name: name, match: [], options: values)]
        }
        var out: [ImportedStep] = []
        let plain = values.filter { if case .secret = $0.value { return false } else { return true } }
        if let named = plain.first(where: { $0.key == "name" }), case .text(let value) = named.value {
            out.append(
                step("\(section.type)-\(value)", name: nil, match: [named], options: values.filter { $0.key != "name" })
            )
        }
        // A type a fresh router has exactly one of (defaults, dnsmasq, system): address it as uci does.
        if document.sections(ofType: section.type).count == 1, !values.isEmpty,
            StockConfig.file(config)?.sections(ofType: section.type).count == 1
                || (config == "system" && section.type == "system")
        {
            out.append(
                ImportedStep(
                    id: "\(config)-\(section.type)", kind: .uciOption, origin: origin,
                    fields: [
                        ImportedField("config", .text(config)), ImportedField("section", .text("@\(section.type)[0]")),
                        ImportedField("options", .map(values)),
                    ]))
        }
        let wanted = Self.identifying[section.type] ?? []
        let identifying = plain.filter { wanted.contains($0.key) }
        let id =
            "\(section.type)-"
            + (plain.first { $0.key == "name" }.flatMap {
                if case .text(let v) = $0.value { return v } else { return nil }
            }
                ?? identifying.compactMap { if case .text(let v) = $0.value { return v } else { return nil } }.joined(
                    separator: "-"))
        if !identifying.isEmpty {
            out.append(
                step(
                    id, name: nil, match: identifying,
                    options: values.filter { field in !identifying.contains { $0.key == field.key } }))
        }
        if !plain.isEmpty {
            out.append(
                step(
                    id, name: nil, match: plain,
                    options: values.filter { field in !plain.contains { $0.key == field.key } }))
        }
        return out
    }
}
