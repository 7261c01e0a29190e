import WrtformEngine
internal import Yams

/// A YAML document reduced to what playbooks use — scalars, lists and mappings — each with where
/// it was written. Yams stays behind this type.
indirect enum YAMLNode {
    struct Entry {
        var key: String
        var keyLocation: SourceLocation
        var value: YAMLNode
    }

    case scalar(String, SourceLocation)
    case list([YAMLNode], SourceLocation)
    case map([Entry], SourceLocation)

    var location: SourceLocation {
        switch self {
        case .scalar(_, let location), .list(_, let location), .map(_, let location): return location
        }
    }

    var kindName: String {
        switch self {
        case .scalar: return "a value"
        case .list: return "a list"
        case .map: return "a mapping"
        }
    }

    static func parse(_ text: String, file: String) throws -> YAMLNode? {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw Self.error(error, file: file, text: text)
        }
        guard let node else { return nil }
        var budget = Budget()
        return try convert(node, file: file, lines: lines(text), budget: &budget)
    }

    /// What a document may hold once its aliases are expanded. Yams shares an anchored node
    /// between its aliases; copying it out for each one is where ten levels of ten aliases become
    /// 10^10 values. Counted as nodes are converted, so the load stops before memory grows.
    struct Budget {
        static let maxNodes = 100_000
        static let maxScalarBytes = 10_000_000
        var nodes = 0
        var scalarBytes = 0

        mutating func count(_ node: Node, file: String) throws {
            nodes += 1
            if case .scalar(let scalar) = node { scalarBytes += scalar.string.utf8.count }
            guard nodes > Self.maxNodes || scalarBytes > Self.maxScalarBytes else { return }
            let what = nodes > Self.maxNodes ? "more than \(Self.maxNodes) values" : "more than 10 MB of text"
            throw EngineError(
                .invalidInput, "the YAML holds \(what) once its aliases are expanded",
                at: YAMLNode.location(node.mark, file),
                hint: "an alias (*name) repeats all its anchor holds: write the values out, or alias less")
        }
    }

    /// The lines as libyaml counts them: split on the scalar "\n", since "\r\n" is a single Character.
    private static func lines(_ text: String) -> [String] {
        text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { String(Substring($0)) }
    }

    fileprivate static func location(_ mark: Mark?, _ file: String) -> SourceLocation {
        SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    /// Where a scalar's text starts, so a `{{ name }}` inside it is reported at its own column:
    /// after the opening quote, or on the first content line of a `|` or `>` block.
    private static func contentLocation(_ scalar: Node.Scalar, _ file: String, lines: [String]) -> SourceLocation {
        let start = location(scalar.mark, file)
        switch scalar.style {
        case .singleQuoted, .doubleQuoted:
            return SourceLocation(file: file, line: start.line, column: start.column + 1)
        case .literal, .folded:
            guard start.line < lines.count else { return start }
            for index in start.line..<lines.count {
                let line = lines[index]
                guard line.contains(where: { $0 != " " && $0 != "\r" }) else { continue }
                return SourceLocation(file: file, line: index + 1, column: line.prefix { $0 == " " }.count + 1)
            }
            return start
        default:
            return start
        }
    }

    private static func convert(_ node: Node, file: String, lines: [String], budget: inout Budget) throws -> YAMLNode {
        try budget.count(node, file: file)
        switch node {
        case .scalar(let scalar):
            return .scalar(scalar.string, contentLocation(scalar, file, lines: lines))
        case .sequence(let sequence):
            var items: [YAMLNode] = []
            items.reserveCapacity(sequence.count)
            for item in sequence { items.append(try convert(item, file: file, lines: lines, budget: &budget)) }
            return .list(items, location(sequence.mark, file))
        case .mapping(let mapping):
            var entries: [Entry] = []
            // By key, so a mapping of n keys is checked in n steps, not n².
            var seen: [String: SourceLocation] = [:]
            for (key, value) in mapping {
                guard case .scalar(let keyScalar) = key else {
                    // `name: {{ x }}` unquoted is a mapping inside a mapping to YAML.
                    if case .mapping = key, let place = unquotedPlaceholder(before: key.mark, lines: lines) {
                        throw EngineError(
                            .invalidInput, "'\(place.text)' must be quoted: unquoted, YAML reads {{ }} as a mapping",
                            at: SourceLocation(file: file, line: place.line, column: place.column),
                            hint: "quote it: \"\(place.text)\"")
                    }
                    throw EngineError(.invalidInput, "a mapping key must be a plain name", at: location(key.mark, file))
                }
                let keyLocation = location(keyScalar.mark, file)
                if let first = seen.updateValue(keyLocation, forKey: keyScalar.string) {
                    throw EngineError(
                        .invalidInput,
                        "'\(keyScalar.string)' appears twice in this mapping (first at line \(first.line))",
                        at: keyLocation)
                }
                entries.append(
                    Entry(
                        key: keyScalar.string, keyLocation: keyLocation,
                        value: try convert(value, file: file, lines: lines, budget: &budget)))
            }
            return .map(entries, location(mapping.mark, file))
        case .alias(let alias):
            throw EngineError(
                .invalidInput, "YAML aliases are not supported in playbooks", at: location(alias.mark, file),
                hint: "write the value out")
        }
    }

    /// The `{{ … }}` text whose inner `{` is at `mark` (a mapping used as a key), if it is one.
    private static func unquotedPlaceholder(before mark: Mark?, lines: [String]) -> (
        text: String, line: Int, column: Int
    )? {
        guard let mark, mark.line >= 1, mark.line <= lines.count else { return nil }
        let scalars = Array(lines[mark.line - 1].unicodeScalars)
        let start = mark.column - 2
        guard start >= 0, start + 1 < scalars.count, scalars[start] == "{", scalars[start + 1] == "{" else {
            return nil
        }
        var end = start + 2
        while end + 1 < scalars.count, !(scalars[end] == "}" && scalars[end + 1] == "}") { end += 1 }
        guard end + 1 < scalars.count else { return nil }
        var text = ""
        text.unicodeScalars.append(contentsOf: scalars[start...(end + 1)])
        return (text, mark.line, mark.column - 1)
    }

    /// A tab in the indentation of the line a syntax error is on: libyaml only says it found a
    /// character that cannot start a token.
    private static func tabInIndentation(_ mark: Mark?, text: String) -> Int? {
        guard let mark, mark.line >= 1 else { return nil }
        let lines = lines(text)
        guard mark.line <= lines.count else { return nil }
        for (index, scalar) in lines[mark.line - 1].unicodeScalars.enumerated() {
            if scalar == "\t" { return index + 1 }
            if scalar != " " && scalar != "-" { return nil }
        }
        return nil
    }

    private static func error(_ error: YamlError, file: String, text: String) -> EngineError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            if let column = tabInIndentation(mark, text: text) {
                return EngineError(
                    .invalidInput, "a tab is used for indentation",
                    at: SourceLocation(file: file, line: mark.line, column: column),
                    hint: "YAML indents with spaces only")
            }
            return EngineError(
                .invalidInput, "YAML syntax: \(problem)", at: location(mark, file),
                hint: "check indentation and quoting")
        case .reader(let problem, let offset, _, _):
            // Yams' own description quotes the offending line; the message stays one line.
            return EngineError(
                .invalidInput, "YAML syntax: \(problem)",
                at: offset.flatMap { readerLocation(byteOffset: $0, in: text, file: file) })
        case .duplicatedKeysInMapping(let duplicates, let context):
            let key = duplicates.first ?? ""
            let first = location(context.mark, file)
            guard let second = secondKey(key, after: first, in: text) else {
                return EngineError(.invalidInput, "'\(key)' appears twice in a mapping", at: first)
            }
            return EngineError(
                .invalidInput, "'\(key)' appears twice in this mapping (first at line \(first.line))", at: second)
        default:
            return EngineError(
                .invalidInput, "YAML could not be read", at: SourceLocation(file: file, line: 1, column: 1))
        }
    }

    /// libyaml reports reader problems (control characters, bad UTF-8) as a byte offset.
    private static func readerLocation(byteOffset: Int, in text: String, file: String) -> SourceLocation? {
        let utf8 = text.utf8
        guard let index = utf8.index(utf8.startIndex, offsetBy: byteOffset, limitedBy: utf8.endIndex) else {
            return nil
        }
        let before = text.unicodeScalars[..<index]
        let line = before.filter { $0 == "\n" }.count + 1
        let column =
            before.distance(
                from: before.lastIndex(of: "\n").map { before.index(after: $0) } ?? before.startIndex,
                to: before.endIndex) + 1
        return SourceLocation(file: file, line: line, column: column)
    }

    /// Yams reports a duplicate key at its first occurrence; the mistake is usually the second one,
    /// in the same block mapping: a later line at the same indentation, before the mapping ends.
    private static func secondKey(_ key: String, after first: SourceLocation, in text: String) -> SourceLocation? {
        let lines = lines(text)
        let indent = first.column - 1
        guard first.line < lines.count else { return nil }
        for index in first.line..<lines.count {
            let line = lines[index]
            let spaces = line.prefix { $0 == " " }.count
            let rest = line.dropFirst(spaces)
            if rest.isEmpty || rest.hasPrefix("#") || rest.allSatisfy({ $0 == "\r" }) { continue }
            if spaces < indent { return nil }
            guard spaces == indent else { continue }
            for spelling in [key, "\"\(key)\"", "'\(key)'"] where rest.hasPrefix(spelling) {
                if rest.dropFirst(spelling.count).drop(while: { $0 == " " }).hasPrefix(":") {
                    return SourceLocation(file: first.file, line: index + 1, column: first.column)
                }
            }
        }
        return nil
    }
}
