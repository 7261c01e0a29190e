import Foundation
import WrtformEngine

/// Routers by name, so `--inventory FILE --limit NAME` replaces the connection options:
/// `hosts: { home: { host: 192.168.1.1, port: 22, user: root, identity: ~/.ssh/id_ed25519, known_hosts: … } }`.
public struct Inventory: Sendable {
    public struct Host: Sendable, Equatable {
        public var name: String
        public var host: String
        public var port: Int?
        public var user: String?
        public var identity: String?
        public var knownHosts: String?
    }

    public var hosts: [Host]
    public var path: String

    public static func load(path: String) throws -> Inventory {
        let data: Data
        do {
            data = try PlaybookLoader.read(path)
        } catch let error as EngineError {
            var error = error
            error.message = error.message.replacingOccurrences(
                of: "cannot read playbook", with: "cannot read inventory")
            error.hint = error.hint?.replacingOccurrences(of: "playbook's .yml file", with: "inventory's .yml file")
            throw error
        }
        let file = URL(fileURLWithPath: path).lastPathComponent
        guard let root = try YAMLNode.parse(String(decoding: data, as: UTF8.self), file: file),
            case .map(let top, let location) = root
        else {
            throw EngineError(
                .invalidInput, "an inventory is a mapping with hosts:",
                at: SourceLocation(file: file, line: 1, column: 1))
        }
        guard let hostsEntry = top.first(where: { $0.key == "hosts" }), case .map(let entries, _) = hostsEntry.value
        else {
            throw EngineError(.invalidInput, "the inventory has no hosts: mapping", at: location)
        }
        let known = ["host", "port", "user", "identity", "known_hosts"]
        var hosts: [Host] = []
        for entry in entries {
            guard case .map(let fields, let hostLocation) = entry.value else {
                throw EngineError(
                    .invalidInput, "host '\(entry.key)' must be a mapping with host:", at: entry.value.location)
            }
            var values: [String: String] = [:]
            for field in fields {
                guard known.contains(field.key) else {
                    throw EngineError(
                        .invalidInput, "unknown key '\(field.key)' for host '\(entry.key)'", at: field.keyLocation,
                        hint: Suggestion.hint(for: field.key, in: known)
                            ?? "known keys: \(known.joined(separator: ", "))")
                }
                guard case .scalar(let text, let valueLocation) = field.value else {
                    throw EngineError(.invalidInput, "\(field.key) must be a single value", at: field.value.location)
                }
                if field.key == "port", Int(text).map({ (1...65535).contains($0) }) != true {
                    throw EngineError(.invalidInput, "port \(text) is out of range (1-65535)", at: valueLocation)
                }
                // Checked here, where the value was written, not later as a puzzling connection error.
                if let problem = Self.problem(field.key, text) {
                    throw EngineError(
                        .invalidInput, "\(field.key) of host '\(entry.key)' \(problem)", at: valueLocation)
                }
                values[field.key] = text
            }
            guard let address = values["host"] else {
                throw EngineError(.invalidInput, "host '\(entry.key)' has no host: address", at: hostLocation)
            }
            hosts.append(
                Host(
                    name: entry.key, host: address, port: values["port"].flatMap { Int($0) }, user: values["user"],
                    identity: values["identity"], knownHosts: values["known_hosts"]))
        }
        return Inventory(hosts: hosts, path: path)
    }

    /// What is wrong with a field's value, by scalar: control characters never; no blanks in an
    /// address or a user name (nor `@` and `:` in a user, which belong to `user@host:port`).
    static func problem(_ key: String, _ text: String) -> String? {
        let scalars = text.unicodeScalars
        if scalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) {
            return "cannot contain a control character"
        }
        switch key {
        case "host":
            if text.isEmpty { return "is empty" }
            if scalars.contains(where: { $0.properties.isWhitespace }) { return "cannot contain spaces" }
        case "user":
            if text.isEmpty { return "is empty" }
            if scalars.contains(where: { $0.properties.isWhitespace || $0 == "@" || $0 == ":" }) {
                return "cannot contain spaces, '@' or ':'"
            }
        default:
            break
        }
        return nil
    }

    public func host(named name: String) throws -> Host {
        guard let host = hosts.first(where: { $0.name == name }) else {
            throw EngineError(
                .notFound, "the inventory \(path) has no host '\(name)'",
                hint: Suggestion.hint(for: name, in: hosts.map(\.name))
                    ?? "hosts: \(hosts.map(\.name).joined(separator: ", "))")
        }
        return host
    }
}
