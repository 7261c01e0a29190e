/// Checks of values typed into playbooks, each returning what is wrong (nil: valid).
public enum Validate {
    public static func ipv4(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        return parts.allSatisfy { part in
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCIIDigit), let value = Int(part) else {
                return false
            }
            return value <= 255 && !(part.count > 1 && part.first == "0")
        }
    }

    public static func ipv6(_ text: String) -> Bool {
        guard text.contains(":"), text.count <= 45 else { return false }
        let doubleColons = text.components(separatedBy: "::").count - 1
        guard doubleColons <= 1 else { return false }
        var groups = text.split(separator: ":", omittingEmptySubsequences: true).map(String.init)
        var ipv4Tail = false
        if let last = groups.last, last.contains(".") {
            guard ipv4(last) else { return false }
            groups.removeLast()
            ipv4Tail = true
        }
        let capacity = ipv4Tail ? 6 : 8
        guard groups.allSatisfy({ !$0.isEmpty && $0.count <= 4 && $0.allSatisfy(\.isHexDigit) }) else { return false }
        return doubleColons == 1 ? groups.count < capacity : groups.count == capacity
    }

    /// Whether an ISP could have given this IPv4 address to a PPPoE session as a public one: not
    /// private, shared (CGNAT 100.64/10), loopback, link-local, documentation, benchmarking or reserved.
    public static func isPublicIPv4(_ text: String) -> Bool {
        guard ipv4(text) else { return false }
        let o = text.split(separator: ".").compactMap { Int($0) }
        switch (o[0], o[1], o[2]) {
        case (0, _, _), (10, _, _), (127, _, _): return false
        case (100, 64...127, _), (169, 254, _), (172, 16...31, _), (192, 168, _): return false
        case (192, 0, 0), (192, 0, 2), (198, 18...19, _), (198, 51, 100), (203, 0, 113): return false
        default: return o[0] < 224
        }
    }

    /// An address with an optional prefix length ("192.168.1.5", "10.0.0.0/8", "2001:db8::/32").
    public static func prefix(_ text: String, family: AddressFamily) -> String? {
        let pieces = text.split(separator: "/", omittingEmptySubsequences: false)
        guard pieces.count <= 2 else { return "'\(text)' is not an address or prefix" }
        let address = String(pieces[0])
        let maxLength = family == .ipv4 ? 32 : 128
        switch family {
        case .ipv4 where !ipv4(address): return "'\(address)' is not a valid IPv4 address"
        case .ipv6 where !ipv6(address): return "'\(address)' is not a valid IPv6 address"
        default: break
        }
        if pieces.count == 2 {
            guard let length = Int(pieces[1]), (0...maxLength).contains(length), pieces[1].allSatisfy(\.isASCIIDigit)
            else {
                return "'\(pieces[1])' is not a prefix length (0-\(maxLength))"
            }
        }
        return nil
    }

    public static func port(_ text: String) -> String? {
        guard let value = Int(text), text.allSatisfy(\.isASCIIDigit), (1...65535).contains(value) else {
            return "port \(text) is out of range (1-65535)"
        }
        return nil
    }

    /// A port or a range "8000-8080" as firewall4 takes it.
    public static func portOrRange(_ text: String) -> String? {
        let bounds = text.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard bounds.count <= 2 else { return "'\(text)' is not a port or port range" }
        for bound in bounds { if let problem = port(bound) { return problem } }
        if bounds.count == 2, let low = Int(bounds[0]), let high = Int(bounds[1]), low > high {
            return "port range \(text) is backwards"
        }
        return nil
    }

    /// uci section and option names.
    public static func uciName(_ text: String) -> Bool {
        !text.isEmpty
            && text.utf8.allSatisfy {
                $0 == UInt8(ascii: "_") || ($0 < 128 && Character(Unicode.Scalar($0)).isASCIIAlnum)
            }
    }

    /// firewall4's zone name pattern ^[a-zA-Z_.][a-zA-Z0-9/_.-]*$.
    public static func zoneName(_ text: String) -> Bool {
        guard let first = text.first, first.isASCIILetter || first == "_" || first == "." else { return false }
        return text.allSatisfy { $0.isASCIIAlnum || "/_.-".contains($0) }
    }

    /// A routing table name as rt_tables holds it: letters, digits, _ and -, not starting with a digit.
    public static func tableName(_ text: String) -> Bool {
        guard let first = text.first, !first.isASCIIDigit else { return false }
        return text.allSatisfy { $0.isASCIIAlnum || $0 == "_" || $0 == "-" }
    }

    /// A value written into a config file: no NUL, newline or other control characters.
    public static func configValue(_ text: String) -> String? {
        if text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) {
            return "a control character (newline, NUL, …) cannot be written into a config value"
        }
        return nil
    }
}
