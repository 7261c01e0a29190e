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
        /// `vars:` of this host, in file order: they win over group and inventory vars.
        public var vars: [InventoryVariable] = []
        /// `secrets:` of this host: the environment variables its secrets come from.
        public var secrets: [InventorySecret] = []

        public init(
            name: String, host: String, port: Int? = nil, user: String? = nil, identity: String? = nil,
            knownHosts: String? = nil, vars: [InventoryVariable] = [], secrets: [InventorySecret] = []
        ) {
            self.name = name
            self.host = host
            self.port = port
            self.user = user
            self.identity = identity
            self.knownHosts = knownHosts
            self.vars = vars
            self.secrets = secrets
        }
    }

    /// `groups: { NAME: { hosts: [...], vars: {...} } }`: names `--limit` can select, vars for their hosts.
    public struct Group: Sendable, Equatable {
        public var name: String
        public var hosts: [String]
        public var vars: [InventoryVariable]
        public var secrets: [InventorySecret] = []
    }

    public var hosts: [Host]
    public var path: String
    /// Top-level `vars:` for every host.
    public var vars: [InventoryVariable] = []
    public var groups: [Group] = []
    /// Top-level `secrets:` for every host.
    public var secrets: [InventorySecret] = []

    /// A host's variables by precedence: inventory `vars` < group vars (in the order groups are listed)
    /// < host vars; a later value for the same name wins. The playbook's own vars sit below, `--var` above.
    public func variables(for host: Host) -> [InventoryVariable] {
        layered(vars, \.vars, host.vars, for: host, name: \.name)
    }

    /// A host's secret sources, with the same precedence as its variables: inventory < groups in order < host.
    public func secrets(for host: Host) -> [InventorySecret] {
        layered(secrets, \.secrets, host.secrets, for: host, name: \.name)
    }

    /// `top`, then each of the host's groups' lists in the order groups are listed, then `own`: a
    /// later entry of the same name replaces an earlier one (and takes its place at the end).
    private func layered<Entry>(
        _ top: [Entry], _ ofGroup: (Group) -> [Entry], _ own: [Entry], for host: Host, name: (Entry) -> String
    ) -> [Entry] {
        var merged: [Entry] = []
        let lists = [top] + groups.filter { $0.hosts.contains(host.name) }.map(ofGroup) + [own]
        for entry in lists.joined() {
            merged.removeAll { name($0) == name(entry) }
            merged.append(entry)
        }
        return merged
    }

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
        let known = ["host", "port", "user", "identity", "known_hosts", "vars", "secrets"]
        var hosts: [Host] = []
        var hostVars: [String: [InventoryVariable]] = [:]
        var hostSecrets: [String: [InventorySecret]] = [:]
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
                if field.key == "vars" {
                    hostVars[entry.key] = try InventoryVariable.parse(field.value, owner: "host '\(entry.key)'")
                    continue
                }
                if field.key == "secrets" {
                    hostSecrets[entry.key] = try InventorySecret.parse(field.value, owner: "host '\(entry.key)'")
                    continue
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
                    identity: values["identity"], knownHosts: values["known_hosts"], vars: hostVars[entry.key] ?? [],
                    secrets: hostSecrets[entry.key] ?? []))
        }
        var inventory = Inventory(hosts: hosts, path: path)
        for entry in top {
            switch entry.key {
            case "hosts": break
            case "vars": inventory.vars = try InventoryVariable.parse(entry.value, owner: "the inventory")
            case "secrets": inventory.secrets = try InventorySecret.parse(entry.value, owner: "the inventory")
            case "groups": inventory.groups = try InventoryGroups.parse(entry.value, hosts: hosts.map(\.name))
            default:
                let keys = ["hosts", "groups", "vars", "secrets"]
                throw EngineError(
                    .invalidInput, "unknown key '\(entry.key)' in the inventory", at: entry.keyLocation,
                    hint: Suggestion.hint(for: entry.key, in: keys) ?? "known keys: \(keys.joined(separator: ", "))")
            }
        }
        return inventory
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
