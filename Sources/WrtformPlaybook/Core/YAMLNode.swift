internal import Yams
import WrtformEngine

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
            throw Self.error(error, file: file)
        }
        guard let node else { return nil }
        return try convert(node, file: file)
    }

    private static func location(_ mark: Mark?, _ file: String) -> SourceLocation {
        SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    private static func convert(_ node: Node, file: String) throws -> YAMLNode {
        switch node {
        case .scalar(let scalar):
            return .scalar(scalar.string, location(scalar.mark, file))
        case .sequence(let sequence):
            return .list(try sequence.map { try convert($0, file: file) }, location(sequence.mark, file))
        case .mapping(let mapping):
            var entries: [Entry] = []
            for (key, value) in mapping {
                guard case .scalar(let keyScalar) = key else {
                    throw EngineError(.invalidInput, "a mapping key must be a plain name", at: location(key.mark, file))
                }
                if let first = entries.first(where: { $0.key == keyScalar.string }) {
                    throw EngineError(
                        .invalidInput, "'\(keyScalar.string)' appears twice in this mapping (first at line \(first.keyLocation.line))",
                        at: location(keyScalar.mark, file))
                }
                entries.append(Entry(key: keyScalar.string, keyLocation: location(keyScalar.mark, file), value: try convert(value, file: file)))
            }
            return .map(entries, location(mapping.mark, file))
        case .alias(let alias):
            throw EngineError(.invalidInput, "YAML aliases are not supported in playbooks", at: location(alias.mark, file), hint: "write the value out")
        }
    }

    private static func error(_ error: YamlError, file: String) -> EngineError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return EngineError(.invalidInput, "YAML syntax: \(problem)", at: location(mark, file), hint: "check indentation and quoting")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return EngineError(.invalidInput, "'\(duplicates.joined(separator: "', '"))' appears twice in a mapping", at: location(context.mark, file))
        case .reader(let problem, let offset, _, let yaml):
            // libyaml counts the offset in bytes; turn it into a line and column.
            let prefix = yaml.utf8.prefix(offset ?? 0)
            let line = prefix.filter { $0 == UInt8(ascii: "\n") }.count + 1
            let column = prefix.count - (prefix.lastIndex(of: UInt8(ascii: "\n")).map { prefix.distance(from: prefix.startIndex, to: $0) + 1 } ?? 0) + 1
            return EngineError(
                .invalidInput, "YAML: \(problem)", at: SourceLocation(file: file, line: line, column: column),
                hint: "remove the control character or invalid byte")
        default:
            return EngineError(.invalidInput, "YAML could not be read", at: SourceLocation(file: file, line: 1, column: 1))
        }
    }
}
