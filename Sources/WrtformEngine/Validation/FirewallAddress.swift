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
                guard let low = family(of: String(range[0])), let high = family(of: String(range[1])), low == high else {
                    return .failure(.init("'\(text)' is not a range of two addresses of one family"))
                }
                return .success(FirewallAddress(family: low, inverted: inverted))
            }
            guard let family = family(of: String(body)) else { return .failure(.init("'\(text)' is not an IPv4 or IPv6 address")) }
            return .success(FirewallAddress(family: family, inverted: inverted))
        }
        let address = String(slash[0])
        let suffix = String(slash[1])
        guard let family = family(of: address) else { return .failure(.init("'\(address)' is not an IPv4 or IPv6 address")) }
        let bits = family == .ipv4 ? 32 : 128
        if let maskFamily = Self.family(of: suffix) {
            guard maskFamily == family else {
                return .failure(.init("mask '\(suffix)' is not of the address's family (\(family.rawValue))"))
            }
            return .success(FirewallAddress(family: family, inverted: inverted))
        }
        let digits = suffix.hasPrefix("-") ? suffix.dropFirst() : Substring(suffix)
        guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit), let length = Int(digits), length <= bits else {
            return .failure(.init(
                "'/\(suffix)' is not a prefix length (0-\(bits)), a negative one (-1 to -\(bits): the last bits) or a mask of the family"))
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
