import WrtformUCI

/// How a step recognises "its" section on the router: by name when it is named, otherwise by
/// the options that identify it (a zone by `name`, a forwarding by `src`/`dest`), so a section
/// made by hand in LuCI is found and updated rather than duplicated.
public struct SectionMatch: Sendable, Hashable, Codable, CustomStringConvertible {
    public var type: String
    public var name: String?
    public var options: [String: UCIValue]

    public init(type: String, name: String? = nil, options: [String: UCIValue] = [:]) {
        self.type = type
        self.name = name
        self.options = options
    }

    /// The matching sections, in file order.
    public func find(in file: UCIFile) -> [UCISection] {
        if let name {
            guard let section = file.section(named: name), section.type == type else { return [] }
            return [section]
        }
        return file.sections(ofType: type, matching: options)
    }

    public var description: String {
        if let name { return "\(type) '\(name)'" }
        let keys = options.keys.sorted().map { "\($0)=\(options[$0]?.displayText ?? "")" }
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
