import WrtformUCI

/// How a step recognises "its" section on the router: by name when it is named, otherwise by
/// the options that identify it (a zone by `name`, a forwarding by `src`/`dest`), so a section
/// made by hand in LuCI is found and updated rather than duplicated.
public struct SectionMatch: Sendable, Hashable, Codable, CustomStringConvertible {
    public var type: String
    public var name: String?
    public var options: [String: UCIValue]
    /// Options that, where a section sets them, must overlap these values: a port forward is
    /// the same forward only for a family and protocols it shares (an IPv6/UDP forward of the
    /// same port is another one). Unset options pass, so a hand-made section without them is
    /// found; the step's own values pass too, so the match still finds the section after the
    /// step changed it. nil in journals written before this existed.
    public var compatible: [String: UCIValue]?

    public init(
        type: String, name: String? = nil, options: [String: UCIValue] = [:], compatible: [String: UCIValue]? = nil
    ) {
        self.type = type
        self.name = name
        self.options = options
        self.compatible = compatible
    }

    /// The matching sections, in file order.
    public func find(in file: UCIFile) -> [UCISection] {
        if let name {
            guard let section = file.section(named: name), section.type == type else { return [] }
            return [section]
        }
        let found = file.sections(ofType: type, matching: options)
        guard let compatible, !compatible.isEmpty else { return found }
        return found.filter { section in
            compatible.allSatisfy { key, wanted in
                guard let present = section[key] else { return true }
                return Self.overlap(present.items, wanted.items)
            }
        }
    }

    /// Whether two sets of firewall words share a meaning: `all`/`any` cover everything and
    /// fw4 reads `tcpudp` as tcp and udp.
    static func overlap(_ a: [String], _ b: [String]) -> Bool {
        func expand(_ words: [String]) -> Set<String>? {
            let split = words.flatMap { $0.split(separator: " ").map { String($0).lowercased() } }
            if split.contains(where: { $0 == "all" || $0 == "any" }) { return nil }
            return Set(split.flatMap { $0 == "tcpudp" ? ["tcp", "udp"] : [$0] })
        }
        guard let left = expand(a), let right = expand(b) else { return true }
        return !left.isDisjoint(with: right)
    }

    public var description: String {
        if let name { return "\(type) '\(name)'" }
        var keys = options.keys.sorted().map { "\($0)=\(options[$0]?.displayText ?? "")" }
        let compatible = compatible ?? [:]
        keys += compatible.keys.sorted().map { "\($0)~\(compatible[$0]?.displayText ?? "")" }
        return "\(type) [\(keys.joined(separator: " "))]"
    }
}

extension UCIValue {
    /// The value as a plan shows it: 'a' or ['a', 'b'].
    var displayText: String {
        switch self {
        case .single(let value): return "'\(value)'"
        case .list(let values): return "[" + values.map { "'\($0)'" }.joined(separator: ", ") + "]"
        }
    }

    /// The values, a single value as a one-element list, for comparisons that ignore option/list spelling.
    var items: [String] {
        switch self {
        case .single(let value): return [value]
        case .list(let values): return values
        }
    }

    /// Whether two values mean the same to uci's consumers (an option and a one-item list do).
    func isEquivalent(to other: UCIValue?) -> Bool {
        guard let other else { return false }
        return items == other.items
    }

    /// Equal in meaning, where nil is unset.
    static func same(_ a: UCIValue?, _ b: UCIValue?) -> Bool {
        guard let a else { return b == nil }
        return a.isEquivalent(to: b)
    }
}
