/// An address as firewall4 reads `src_ip`/`dest_ip` (fw4.uc `parse_network`, `parse_subnet`): an optional
/// leading `!`, then `A`, `A/LEN`, `A/-LEN` (a negative length matches the LAST bits: `::5/-64` is the
/// interface ID ::5 under any /64 prefix), `A/MASK` (any mask of the same family, non-contiguous ones
/// included: `::5/::ffff:ffff:ffff:ffff`), or a range `A-B`. fw4 also takes interface names; wrtform asks
/// for addresses, so a typo cannot silently become a name matching nothing.
public struct FirewallAddress: Sendable, Equatable {
    public var family: AddressFamily
    public var inverted: Bool

    /// Parses one address, or says what is wrong with it.
    public static func parse(_ text: String) -> Result<FirewallAddress, FirewallAddressError> {
        var body = Substring(text)
        let inverted = body.hasPrefix("!")
        if inverted { body = body.dropFirst() }
        guard !body.isEmpty, body.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else {
            return .failure(.init("'\(text)' is not an address (no spaces or other characters)"))
        }
        let slash = body.split(separator: "/", omittingEmptySubsequences: false)
        guard slash.count <= 2 else { return .failure(.init("'\(text)' has more than one /")) }
        if slash.count == 1 {
            let range = body.split(separator: "-", omittingEmptySubsequences: false)
            if range.count == 2 {
                guard let low = family(of: String(range[0])), let high = family(of: String(range[1])), low == high
                else {
                    return .failure(.init("'\(text)' is not a range of two addresses of one family"))
                }
                return .success(FirewallAddress(family: low, inverted: inverted))
            }
            guard let family = family(of: String(body)) else {
                return .failure(.init("'\(text)' is not an IPv4 or IPv6 address"))
            }
            return .success(FirewallAddress(family: family, inverted: inverted))
        }
        let address = String(slash[0])
        let suffix = String(slash[1])
        guard let family = family(of: address) else {
            return .failure(.init("'\(address)' is not an IPv4 or IPv6 address"))
        }
        let bits = family == .ipv4 ? 32 : 128
        if let maskFamily = Self.family(of: suffix) {
            guard maskFamily == family else {
                return .failure(.init("mask '\(suffix)' is not of the address's family (\(family.rawValue))"))
            }
            return .success(FirewallAddress(family: family, inverted: inverted))
        }
        let digits = suffix.hasPrefix("-") ? suffix.dropFirst() : Substring(suffix)
        guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit), let length = Int(digits), length <= bits else {
            return .failure(
                .init(
                    "'/\(suffix)' is not a prefix length (0-\(bits)), a negative one (-1 to -\(bits): the last bits) or a mask of the family"
                ))
        }
        return .success(FirewallAddress(family: family, inverted: inverted))
    }

    static func family(of text: String) -> AddressFamily? {
        if Validate.ipv4(text) { return .ipv4 }
        if Validate.ipv6(text) { return .ipv6 }
        return nil
    }
}

public struct FirewallAddressError: Error, Sendable, Equatable {
    public var message: String
    init(_ message: String) { self.message = message }
}

extension FirewallAddress {
    /// Whether `address` falls under an IPv6 match as fw4 renders it (`daddr & MASK == A`): `::5/-64`
    /// matches any address ending in ::5. nil when either is not IPv6.
    public static func ipv6Matches(_ address: String, _ match: String) -> Bool? {
        var body = Substring(match)
        if body.hasPrefix("!") { body = body.dropFirst() }
        let parts = body.split(separator: "/", omittingEmptySubsequences: false)
        guard let target = ipv6Bytes(String(parts[0])), let candidate = ipv6Bytes(address) else { return nil }
        var mask = [UInt8](repeating: 0xff, count: 16)
        if parts.count == 2 {
            if let explicit = ipv6Bytes(String(parts[1])) {
                mask = explicit
            } else if let bits = Int(parts[1]), abs(bits) <= 128 {
                // n: the first n bits; -n: the last n bits (fw4's to_mask).
                let covers: (Int) -> Bool = { bit in bits < 0 ? bit >= 128 + bits : bit < bits }
                mask = (0..<16).map { byte in
                    (0..<8).reduce(UInt8(0)) { value, bit in
                        covers(byte * 8 + bit) ? value | (0x80 >> UInt8(bit)) : value
                    }
                }
            } else {
                return nil
            }
        }
        return (0..<16).allSatisfy { candidate[$0] & mask[$0] == target[$0] & mask[$0] }
    }

    /// The 16 bytes of an IPv6 address ("2001:db8::5", "::ffff:192.0.2.1").
    static func ipv6Bytes(_ text: String) -> [UInt8]? {
        guard Validate.ipv6(text) else { return nil }
        func groups(_ part: Substring) -> [UInt16]? {
            guard !part.isEmpty else { return [] }
            var result: [UInt16] = []
            for piece in part.split(separator: ":") {
                if piece.contains(".") {
                    let octets = piece.split(separator: ".").compactMap { UInt16($0) }
                    guard octets.count == 4 else { return nil }
                    result += [octets[0] << 8 | octets[1], octets[2] << 8 | octets[3]]
                } else {
                    guard let value = UInt16(piece, radix: 16) else { return nil }
                    result.append(value)
                }
            }
            return result
        }
        let halves = text.components(separatedBy: "::")
        guard let head = groups(Substring(halves[0])) else { return nil }
        var all = head
        if halves.count == 2 {
            guard let tail = groups(Substring(halves[1])) else { return nil }
            all += [UInt16](repeating: 0, count: 8 - head.count - tail.count) + tail
        }
        guard all.count == 8 else { return nil }
        return all.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xff)] }
    }
}
