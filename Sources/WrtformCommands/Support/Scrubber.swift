/// The last line of defence for secrets: every line a command prints passes through here, with the
/// resolved secret values of the playbook replaced. The engine already masks them; this catches
/// anything that slips through (an error quoting a value, a router's message) — also in the
/// escaped forms a value takes in shell, uci and JSON text (`'\''`, `\"`, `\\`, `\/`).
///
/// Matching is on UTF-8 bytes: a Character search would miss a secret followed by a combining
/// mark (the two are one grapheme). A secret shorter than 8 bytes is replaced only where it stands
/// as a whole value, so "wan" does not turn "wanppp" into "(secret)ppp".
struct Scrubber: Sendable {
    static let mask = Array("(secret)".utf8)
    static let shortSecret = 8

    var secrets: [String]
    /// Every form of every secret, longest first (a longer form contains shorter ones).
    private let forms: [(bytes: [UInt8], wholeOnly: Bool)]

    init(secrets: [String]) {
        self.secrets = secrets
        var seen = Set<[UInt8]>()
        var forms: [(bytes: [UInt8], wholeOnly: Bool)] = []
        for secret in secrets where !secret.isEmpty {
            let wholeOnly = secret.utf8.count < Self.shortSecret
            for form in Self.escapedForms(of: Array(secret.utf8)) where seen.insert(form).inserted {
                forms.append((form, wholeOnly))
            }
        }
        self.forms = forms.sorted { $0.bytes.count > $1.bytes.count }
    }

    /// The value as it appears raw, single-quoted for sh or uci, double-quoted for sh, uci or
    /// JSON, and backslash-escaped outside quotes.
    static func escapedForms(of value: [UInt8]) -> [[UInt8]] {
        func escaping(_ special: String, with prefix: [UInt8] = [UInt8(ascii: "\\")]) -> [UInt8] {
            let set = Set(special.utf8)
            return value.flatMap { set.contains($0) ? prefix + [$0] : [$0] }
        }
        let singleQuoted = value.flatMap { $0 == UInt8(ascii: "'") ? Array("'\\''".utf8) : [$0] }
        let unquoted = value.flatMap { byte -> [UInt8] in
            let plain =
                byte >= 0x80 || (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A)
                || Array("._-/:@+,%".utf8).contains(byte)
            return plain ? [byte] : [UInt8(ascii: "\\"), byte]
        }
        return [value, singleQuoted, escaping("\"\\"), escaping("\"\\$`"), escaping("\"\\/"), unquoted]
    }

    func clean(_ text: String) -> String {
        guard !forms.isEmpty else { return text }
        var bytes = Array(text.utf8)
        for form in forms { bytes = Self.replace(form.bytes, in: bytes, wholeOnly: form.wholeOnly) }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func isWordByte(_ byte: UInt8) -> Bool {
        byte >= 0x80 || (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A)
            || byte == UInt8(ascii: "_")
    }

    static func replace(_ needle: [UInt8], in haystack: [UInt8], wholeOnly: Bool) -> [UInt8] {
        guard !needle.isEmpty, haystack.count >= needle.count else { return haystack }
        var out: [UInt8] = []
        out.reserveCapacity(haystack.count)
        var index = 0
        while index < haystack.count {
            if index + needle.count <= haystack.count, haystack[index] == needle[0],
                haystack[index..<(index + needle.count)].elementsEqual(needle)
            {
                let end = index + needle.count
                let whole =
                    (index == 0 || !isWordByte(haystack[index - 1]))
                    && (end == haystack.count || !isWordByte(haystack[end]))
                if !wholeOnly || whole {
                    out += mask
                    index = end
                    continue
                }
            }
            out.append(haystack[index])
            index += 1
        }
        return out
    }
}
