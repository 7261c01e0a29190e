import WrtformEngine

/// One `vars:` entry of an inventory, with where it was written so an unknown name is reported there.
public struct InventoryVariable: Sendable, Equatable {
    public var name: String
    public var value: String
    public var location: SourceLocation

    /// Parses a `vars:` mapping of single values.
    static func parse(_ node: YAMLNode, owner: String) throws -> [InventoryVariable] {
        guard case .map(let entries, _) = node else {
            throw EngineError(.invalidInput, "vars of \(owner) must be a mapping of name: value", at: node.location)
        }
        return try entries.map { entry in
            guard case .scalar(let text, _) = entry.value else {
                throw EngineError(
                    .invalidInput, "variable '\(entry.key)' of \(owner) must be a single value",
                    at: entry.value.location)
            }
            return InventoryVariable(name: entry.key, value: text, location: entry.keyLocation)
        }
    }
}

/// `groups:` of an inventory: each a mapping with `hosts:` (names from `hosts:`) and optional `vars:`.
enum InventoryGroups {
    static func parse(_ node: YAMLNode, hosts: [String]) throws -> [Inventory.Group] {
        guard case .map(let entries, _) = node else {
            throw EngineError(.invalidInput, "groups must be a mapping of group names", at: node.location)
        }
        return try entries.map { entry in
            guard case .map(let fields, let location) = entry.value else {
                throw EngineError(
                    .invalidInput, "group '\(entry.key)' must be a mapping with hosts:",
                    at: entry.value.location)
            }
            if hosts.contains(entry.key) {
                throw EngineError(
                    .invalidInput, "group '\(entry.key)' has the name of a host", at: entry.keyLocation,
                    hint: "give the group another name, so --limit \(entry.key) means one thing")
            }
            var group = Inventory.Group(name: entry.key, hosts: [], vars: [])
            var sawHosts = false
            for field in fields {
                switch field.key {
                case "hosts":
                    sawHosts = true
                    guard case .list(let items, _) = field.value else {
                        throw EngineError(
                            .invalidInput, "hosts of group '\(entry.key)' must be a list",
                            at: field.value.location)
                    }
                    for item in items {
                        guard case .scalar(let name, let itemLocation) = item, hosts.contains(name) else {
                            let name: String = {
                                if case .scalar(let n, _) = item { return n }
                                return "?"
                            }()
                            throw EngineError(
                                .invalidInput, "group '\(entry.key)' names no host '\(name)'",
                                at: item.location,
                                hint: Suggestion.hint(for: name, in: hosts) ?? "hosts: \(hosts.joined(separator: ", "))"
                            )
                        }
                        _ = itemLocation
                        group.hosts.append(name)
                    }
                case "vars":
                    group.vars = try InventoryVariable.parse(field.value, owner: "group '\(entry.key)'")
                case "secrets":
                    group.secrets = try InventorySecret.parse(field.value, owner: "group '\(entry.key)'")
                default:
                    throw EngineError(
                        .invalidInput, "unknown key '\(field.key)' for group '\(entry.key)'",
                        at: field.keyLocation, hint: "known keys: hosts, vars, secrets")
                }
            }
            if !sawHosts {
                throw EngineError(.invalidInput, "group '\(entry.key)' has no hosts: list", at: location)
            }
            return group
        }
    }
}
