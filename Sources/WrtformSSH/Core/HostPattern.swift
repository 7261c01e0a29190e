import Foundation

/// OpenSSH's host-name matching for known_hosts (and ssh_config `Host`): a comma-separated list
/// of patterns with `*` and `?`, each negated by a leading `!`; or one hashed name
/// `|1|salt|hash` (HMAC-SHA1 of the name keyed by the salt, both base64).
///
/// As OpenSSH's match.c: the list matches when some positive pattern matches and no negated
/// one does; patterns compare case-insensitively (ASCII). Works on bytes, never on Characters.
enum HostPattern {
    /// Whether the known_hosts host field `field` names `name` (already lower-cased, and
    /// `[host]:port` for a port other than 22).
    static func field(_ field: ArraySlice<UInt8>, names name: [UInt8]) -> Bool {
        if field.starts(with: Array("|1|".utf8)) { return hashed(field, names: name) }
        return list(field, matches: name) == .positive
    }

    enum ListMatch { case none, positive, negated }

    /// OpenSSH's match_pattern_list with lower-casing: `negated` as soon as a `!pattern` matches.
    static func list(_ list: ArraySlice<UInt8>, matches name: [UInt8]) -> ListMatch {
        let lowered = name.map(lower)
        var result = ListMatch.none
        for entry in list.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
            var pattern = entry
            let negated = pattern.first == UInt8(ascii: "!")
            if negated { pattern = pattern.dropFirst() }
            guard matches(pattern.map(lower), lowered) else { continue }
            if negated { return .negated }
            result = .positive
        }
        return result
    }

    /// `*` (any run of bytes) and `?` (any one byte); linear-time, with one backtrack point.
    static func matches(_ pattern: [UInt8], _ text: [UInt8]) -> Bool {
        var p = 0
        var t = 0
        var star: Int?
        var resume = 0
        while t < text.count {
            if p < pattern.count && (pattern[p] == UInt8(ascii: "?") || pattern[p] == text[t]) {
                p += 1
                t += 1
            } else if p < pattern.count && pattern[p] == UInt8(ascii: "*") {
                star = p
                resume = t
                p += 1
            } else if let star {
                p = star + 1
                resume += 1
                t = resume
            } else {
                return false
            }
        }
        while p < pattern.count && pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.count
    }

    /// `|1|salt|hash`: HMAC-SHA1(salt, name) == hash.
    static func hashed(_ field: ArraySlice<UInt8>, names name: [UInt8]) -> Bool {
        let parts = field.dropFirst(3).split(separator: UInt8(ascii: "|"), omittingEmptySubsequences: false)
        guard parts.count == 2,
            let salt = Data(base64Encoded: Data(parts[0])), let hash = Data(base64Encoded: Data(parts[1])),
            salt.count == 20, hash.count == 20
        else { return false }
        return SHA1.hmac(key: [UInt8](salt), message: name) == [UInt8](hash)
    }

    /// ASCII lower-casing of one byte, as OpenSSH's tolower in the C locale.
    static func lower(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
    }
}
