/// The value of one uci option: `option KEY 'VALUE'` is `.single`, a run of `list KEY 'ITEM'` lines is `.list`.
///
/// uci keeps the two apart (`uci get` on a list joins items with spaces, `uci show` quotes each item), so the model
/// does too; `values` gives the items of either kind when the difference does not matter.
public enum UCIValue: Sendable, Hashable, Codable {
    case single(String)
    case list([String])

    /// The items: one for `.single`, all of them for `.list`.
    public var values: [String] {
        switch self {
        case .single(let value): [value]
        case .list(let items): items
        }
    }

    /// Whether this is written as `list` lines.
    public var isList: Bool {
        if case .list = self { return true }
        return false
    }

    /// The value as `uci get` prints it: a list's items joined by single spaces.
    public var joined: String {
        values.joined(separator: " ")
    }

    /// Equality as a match criterion: `.single("x")` matches `.list(["x"])`, because firewall4 and netifd read a
    /// one-item list and a single option alike (e.g. `option network 'lan'` versus `list network 'lan'`).
    public func matches(_ other: UCIValue) -> Bool {
        values == other.values
    }

    // A single value encodes as a JSON string, a list as an array of strings: what a playbook or journal would write.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let items = try? container.decode([String].self) {
            self = .list(items)
        } else {
            self = .single(try container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .single(let value): try container.encode(value)
        case .list(let items): try container.encode(items)
        }
    }
}

extension UCIValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) {
        self = .single(value)
    }
}

extension UCIValue: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: String...) {
        self = .list(elements)
    }
}

extension UCIValue: CustomStringConvertible {
    /// Values as they read in a config file. Do not print values of secret options (see `UnifiedDiff.defaultSecretOptions`).
    public var description: String {
        switch self {
        case .single(let value): UCIRenderer.quoted(value)
        case .list(let items): "[" + items.map(UCIRenderer.quoted).joined(separator: ", ") + "]"
        }
    }
}
