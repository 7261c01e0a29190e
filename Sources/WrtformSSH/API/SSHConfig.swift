import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An OpenSSH client configuration (`~/.ssh/config`), read as ssh_config(5) describes: `Host`
/// blocks with OpenSSH's patterns (`*`, `?`, `!negation`), keywords case-insensitive and
/// separated from their arguments by blanks or one `=`, arguments quoted with `"` or `'`,
/// `#` comments, `Include` (globs, relative to ~/.ssh), and for each setting the first value
/// obtained wins (IdentityFile accumulates).
///
/// wrtform uses HostName, Port, User, IdentityFile and UserKnownHostsFile; other keywords are
/// read and ignored. `Match all` applies to every host; other `Match` blocks are not evaluated
/// (their criteria need ssh itself) and so never apply.
public struct SSHConfig: Sendable {
    /// What the configuration says for one host alias.
    public struct Resolved: Sendable, Equatable {
        public var hostName: String?
        public var port: Int?
        public var user: String?
        public var identityFiles: [String] = []
        public var userKnownHostsFile: String?

        public init() {}
    }

    /// A line the parser cannot read: `file:line: what`.
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    private enum Condition: Sendable {
        case always
        case never
        case host([(pattern: [UInt8], negated: Bool)])
    }

    private struct Setting: Sendable {
        var keyword: String
        var arguments: [String]
        var location: String
    }

    private struct Block: Sendable {
        var condition: Condition
        var settings: [Setting] = []
    }

    private var blocks: [Block] = [Block(condition: .always)]
    private let home: String

    /// Reads `path`; a missing file is an empty configuration.
    public static func load(path: String, home: String) throws(ParseError) -> SSHConfig {
        var config = SSHConfig(home: home)
        try config.read(path: path, depth: 0, mustExist: false)
        return config
    }

    /// Parses `text` as if read from `file`.
    public init(text: String, file: String = "ssh_config", home: String) throws(ParseError) {
        self.init(home: home)
        try parse(Array(text.utf8), file: file, depth: 0)
    }

    private init(home: String) {
        self.home = home
    }

    /// The settings for `alias` (the name as typed), with `%` tokens and `~` expanded.
    public func resolve(_ alias: String, localUser: String) -> Resolved {
        let name = Array(alias.utf8).map(HostPattern.lower)
        var resolved = Resolved()
        var knownHosts: String?
        for block in blocks where Self.applies(block.condition, to: name) {
            for setting in block.settings {
                guard let first = setting.arguments.first else { continue }
                switch setting.keyword {
                case "hostname" where resolved.hostName == nil:
                    resolved.hostName = first.replacingOccurrences(of: "%h", with: alias).replacingOccurrences(
                        of: "%%", with: "%")
                case "port" where resolved.port == nil:
                    resolved.port = Int(first)
                case "user" where resolved.user == nil:
                    resolved.user = first
                case "identityfile":
                    resolved.identityFiles.append(first)
                case "userknownhostsfile" where knownHosts == nil:
                    knownHosts = first
                default:
                    continue
                }
            }
        }
        let host = resolved.hostName ?? alias
        let expand = { (path: String) -> String in
            self.expand(
                path, alias: alias, host: host, port: resolved.port ?? 22, user: resolved.user ?? "root",
                localUser: localUser)
        }
        resolved.identityFiles = resolved.identityFiles.filter { $0.lowercased() != "none" }.map(expand)
        resolved.userKnownHostsFile = knownHosts.map(expand)
        return resolved
    }

    // MARK: - Reading

    private mutating func read(path: String, depth: Int, mustExist: Bool) throws(ParseError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            if !mustExist && !FileManager.default.fileExists(atPath: path) { return }
            throw ParseError(description: "\(path): cannot be read; check its permissions")
        }
        try parse([UInt8](data), file: path, depth: depth)
    }

    private mutating func parse(_ bytes: [UInt8], file: String, depth: Int) throws(ParseError) {
        for (index, raw) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let location = "\(file):\(index + 1)"
            var line = raw
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            line = line.drop(while: Self.isBlank)
            if line.isEmpty || line.first == UInt8(ascii: "#") { continue }
            let keywordBytes = line.prefix { !Self.isBlank($0) && $0 != UInt8(ascii: "=") }
            var rest = line.dropFirst(keywordBytes.count).drop(while: Self.isBlank)
            if rest.first == UInt8(ascii: "=") { rest = rest.dropFirst().drop(while: Self.isBlank) }
            let keyword = String(decoding: keywordBytes.map(HostPattern.lower), as: UTF8.self)
            let arguments = try Self.split(rest, at: location)
            switch keyword {
            case "host":
                guard !arguments.isEmpty else {
                    throw ParseError(description: "\(location): Host needs at least one pattern")
                }
                let patterns = arguments.map { argument -> (pattern: [UInt8], negated: Bool) in
                    let bytes = Array(argument.utf8).map(HostPattern.lower)
                    return bytes.first == UInt8(ascii: "!") ? (Array(bytes.dropFirst()), true) : (bytes, false)
                }
                blocks.append(Block(condition: .host(patterns)))
            case "match":
                let all = arguments.count == 1 && arguments[0].lowercased() == "all"
                blocks.append(Block(condition: all ? .always : .never))
            case "include":
                guard depth < 16 else {
                    throw ParseError(description: "\(location): Include nested too deeply (16 levels)")
                }
                for argument in arguments {
                    var pattern = argument
                    if pattern.hasPrefix("~/") { pattern = home + pattern.dropFirst(1) }
                    if !pattern.hasPrefix("/") { pattern = home + "/.ssh/" + pattern }
                    for path in Self.glob(pattern) {
                        try read(path: path, depth: depth + 1, mustExist: true)
                    }
                }
            default:
                if keyword == "port", let port = arguments.first, Int(port).map({ (1...65535).contains($0) }) != true {
                    throw ParseError(description: "\(location): Port \(port) is not a number from 1 to 65535")
                }
                blocks[blocks.count - 1].settings.append(
                    Setting(keyword: keyword, arguments: arguments, location: location))
            }
        }
    }

    /// OpenSSH's argv_split: blanks separate, `"…"` and `'…'` quote, `\` escapes a quote, a
    /// backslash or a blank, a `#` starting an argument ends the line.
    static func split(_ text: ArraySlice<UInt8>, at location: String) throws(ParseError) -> [String] {
        var arguments: [String] = []
        var current: [UInt8] = []
        var inArgument = false
        var quote: UInt8?
        var index = text.startIndex
        while index < text.endIndex {
            let byte = text[index]
            if quote == nil && isBlank(byte) {
                if inArgument { arguments.append(String(decoding: current, as: UTF8.self)) }
                current = []
                inArgument = false
            } else if quote == nil && !inArgument && byte == UInt8(ascii: "#") {
                break
            } else if byte == UInt8(ascii: "\\"), index + 1 < text.endIndex,
                [UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: " ")].contains(text[index + 1])
            {
                current.append(text[index + 1])
                inArgument = true
                index += 1
            } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                if quote == nil {
                    quote = byte
                    inArgument = true
                } else if quote == byte {
                    quote = nil
                } else {
                    current.append(byte)
                }
            } else {
                current.append(byte)
                inArgument = true
            }
            index += 1
        }
        if quote != nil { throw ParseError(description: "\(location): unterminated quote") }
        if inArgument { arguments.append(String(decoding: current, as: UTF8.self)) }
        return arguments
    }

    private static func applies(_ condition: Condition, to name: [UInt8]) -> Bool {
        switch condition {
        case .always: return true
        case .never: return false
        case .host(let patterns):
            var matched = false
            for entry in patterns where HostPattern.matches(entry.pattern, name) {
                if entry.negated { return false }
                matched = true
            }
            return matched
        }
    }

    /// `~`, `%d` (home), `%u` (local user), `%h` (host name), `%n` (alias), `%p`, `%r`, `%%`.
    private func expand(_ path: String, alias: String, host: String, port: Int, user: String, localUser: String)
        -> String
    {
        var result = ""
        var text = Substring(path)
        if text == "~" || text.hasPrefix("~/") {
            result = home
            text = text.dropFirst()
        }
        var iterator = text.makeIterator()
        while let character = iterator.next() {
            guard character == "%", let token = iterator.next() else {
                result.append(character)
                continue
            }
            switch token {
            case "d": result += home
            case "u": result += localUser
            case "h": result += host
            case "n": result += alias
            case "p": result += String(port)
            case "r": result += user
            case "%": result += "%"
            default: result += "%" + String(token)
            }
        }
        return result
    }

    private static func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }

    private static func glob(_ pattern: String) -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        guard Glibc.glob(pattern, 0, nil, &result) == 0 else { return [] }
        return (0..<Int(result.gl_pathc)).compactMap { result.gl_pathv[$0].map { String(cString: $0) } }
    }
}
