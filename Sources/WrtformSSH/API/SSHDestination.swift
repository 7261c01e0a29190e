/// A router as OpenSSH users write it: `host`, `user@host`, `host:port`, `user@host:port`,
/// `[v6addr]:port`, or a bare IPv6 address (`fd00::1`, no port). Checked as bytes: no blanks,
/// control characters or empty parts.
public struct SSHDestination: Sendable, Hashable {
    public var user: String?
    /// Without brackets.
    public var host: String
    public var port: Int?

    public init(user: String? = nil, host: String, port: Int? = nil) {
        self.user = user
        self.host = host
        self.port = port
    }

    /// One line saying what is wrong with the text and how to write it.
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    public static func parse(_ text: String) throws(ParseError) -> SSHDestination {
        let bytes = Array(text.utf8)
        func fail(_ why: String) -> ParseError {
            ParseError(
                description:
                    "'\(text.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0.value != 0x7f ? String($0) : "?" }.joined())' \(why); write HOST, USER@HOST, HOST:PORT or [IPV6]:PORT"
            )
        }
        guard !bytes.isEmpty else { throw fail("is empty") }
        if let bad = bytes.first(where: { $0 <= 0x20 || $0 == 0x7f }) {
            throw fail(bad == 0x20 || bad == 0x09 ? "contains a blank" : "contains a control character")
        }
        var user: String?
        var rest = bytes[...]
        // The last `@` separates the user, as OpenSSH does (user names may hold `@`).
        if let at = bytes.lastIndex(of: UInt8(ascii: "@")) {
            guard at > 0 else { throw fail("has an empty user name") }
            user = String(decoding: bytes[..<at], as: UTF8.self)
            rest = bytes[(at + 1)...]
        }
        var host: ArraySlice<UInt8>
        var portText: ArraySlice<UInt8>?
        if rest.first == UInt8(ascii: "[") {
            guard let close = rest.firstIndex(of: UInt8(ascii: "]")) else { throw fail("has '[' without ']'") }
            host = rest[(rest.startIndex + 1)..<close]
            let after = rest[(close + 1)...]
            if !after.isEmpty {
                guard after.first == UInt8(ascii: ":") else { throw fail("has text after ']' that is not :PORT") }
                portText = after.dropFirst()
            }
        } else if rest.filter({ $0 == UInt8(ascii: ":") }).count == 1,
            let colon = rest.firstIndex(of: UInt8(ascii: ":"))
        {
            host = rest[..<colon]
            portText = rest[(colon + 1)...]
        } else {
            host = rest // a name, an IPv4 address, or a bare IPv6 address
        }
        guard !host.isEmpty else { throw fail("has no host") }
        if host.contains(where: {
            $0 == UInt8(ascii: "[") || $0 == UInt8(ascii: "]") || $0 == UInt8(ascii: "@") || $0 == UInt8(ascii: "/")
        }) {
            throw fail("has a host with '[', ']', '@' or '/' in it")
        }
        var port: Int?
        if let portText {
            guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy({ (0x30...0x39).contains($0) }),
                let number = Int(String(decoding: portText, as: UTF8.self)), (1...65535).contains(number)
            else { throw fail("has a port that is not a number from 1 to 65535") }
            port = number
        }
        return SSHDestination(user: user, host: String(decoding: host, as: UTF8.self), port: port)
    }
}
