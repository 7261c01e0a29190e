import Foundation
import WrtformEngine

/// Reads a playbook (YAML) into step inputs: checks its shape, substitutes `{{ vars }}` and
/// secrets, renders templates. Every error is one line with file:line:column and a hint.
public struct PlaybookLoader: Sendable {
    public init() {}

    static let topLevelKeys = ["name", "description", "vars", "secrets", "steps", "probes"]
    static let stepKeys = ["id", "needs", "when", "for_each"]

    public func load(path: String, overrides: [String: String] = [:], secrets: SecretResolution) throws -> Playbook {
        let url = URL(fileURLWithPath: path)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw EngineError(.notFound, "cannot read playbook \(path)", hint: "check the path")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw EngineError(.invalidInput, "\(path) is not UTF-8 text")
        }
        let file = url.lastPathComponent
        guard let root = try YAMLNode.parse(text, file: file) else {
            throw EngineError(.invalidInput, "\(path) is empty", hint: "a playbook has name, vars, secrets and steps")
        }
        guard case .map(let entries, _) = root else {
            throw EngineError(.invalidInput, "a playbook must be a mapping (name:, vars:, steps:)", at: root.location)
        }
        for entry in entries where !Self.topLevelKeys.contains(entry.key) {
            throw EngineError(
                .invalidInput, "unknown key '\(entry.key)' at the top of the playbook", at: entry.keyLocation,
                hint: Suggestion.hint(for: entry.key, in: Self.topLevelKeys) ?? "known keys: \(Self.topLevelKeys.joined(separator: ", "))")
        }
        func value(_ key: String) -> YAMLNode? { entries.first { $0.key == key }?.value }

        var context = LoadContext(file: file, directory: url.deletingLastPathComponent().path, resolution: secrets)
        context.vars = try Self.vars(value("vars"))
        try context.applyOverrides(overrides)
        context.secrets = try Self.secretSources(value("secrets"), vars: context.vars)

        guard let stepsNode = value("steps") else {
            throw EngineError(.invalidInput, "the playbook has no steps", at: root.location, hint: "add a steps: list")
        }
        guard case .list(let stepNodes, _) = stepsNode else {
            throw EngineError(.invalidInput, "steps must be a list of '- id: …' entries", at: stepsNode.location)
        }
        var steps: [PlaybookStep] = []
        var seen: [String: SourceLocation] = [:]
        for step in try stepNodes.flatMap({ try context.steps($0) }) {
            if let first = seen[step.input.id] {
                throw EngineError(.invalidInput, "duplicate step id '\(step.input.id)' (first at line \(first.line))", at: step.input.location)
            }
            seen[step.input.id] = step.input.location ?? stepsNode.location
            steps.append(step)
        }
        let ids = steps.map(\.input.id)
        for step in steps {
            for (index, need) in step.needs.enumerated() where !ids.contains(need) {
                throw EngineError(
                    .unknownReference, "step '\(step.input.id)' needs unknown step '\(need)'", at: step.needsLocations[index] ?? step.location,
                    hint: Suggestion.hint(for: need, in: ids))
            }
        }
        let probes = try context.probes(value("probes"))
        let name = try value("name").map { try context.plainScalar($0, what: "name") } ?? url.deletingPathExtension().lastPathComponent
        let description = try value("description").map { try context.plainScalar($0, what: "description") } ?? ""
        return Playbook(
            name: name, description: description, path: path, steps: steps, vars: context.vars.mapValues(\.field),
            probes: probes, secretValues: context.resolvedSecretValues)
    }

    static func vars(_ node: YAMLNode?) throws -> [String: LoadContext.Variable] {
        guard let node else { return [:] }
        guard case .map(let entries, _) = node else {
            throw EngineError(.invalidInput, "vars must be a mapping of name: default value", at: node.location)
        }
        var vars: [String: LoadContext.Variable] = [:]
        for entry in entries {
            try LoadContext.checkName(entry.key, at: entry.keyLocation, what: "variable")
            vars[entry.key] = LoadContext.Variable(field: try LoadContext.field(entry.value), location: entry.keyLocation)
        }
        return vars
    }

    static func secretSources(_ node: YAMLNode?, vars: [String: LoadContext.Variable]) throws -> [String: SecretSource] {
        guard let node else { return [:] }
        guard case .map(let entries, _) = node else {
            throw EngineError(.invalidInput, "secrets must be a mapping of name: { env: VAR } (or file:, prompt:)", at: node.location)
        }
        var sources: [String: SecretSource] = [:]
        for entry in entries {
            try LoadContext.checkName(entry.key, at: entry.keyLocation, what: "secret")
            if vars[entry.key] != nil {
                throw EngineError(.invalidInput, "'\(entry.key)' is both a variable and a secret", at: entry.keyLocation)
            }
            sources[entry.key] = try SecretSource(name: entry.key, node: entry.value)
        }
        return sources
    }
}
