import Foundation
import WrtformEngine

/// Reads a playbook (YAML) into step inputs: checks its shape, substitutes `{{ vars }}` and
/// secrets, renders templates. Every error is one line with file:line:column and a hint.
public struct PlaybookLoader: Sendable {
    public init() {}

    static let topLevelKeys = ["name", "description", "vars", "secrets", "steps", "probes"]
    static let stepKeys = ["id", "needs", "when", "for_each"]

    /// `allowOutsideFiles`: templates and secret files may come from outside the playbook's
    /// directory (`--allow-outside-templates`, for a playbook the user trusts). `locationsAsTyped`:
    /// errors name the playbook by `path` as given (the CLI, so an editor can jump there), not by
    /// its file name alone.
    public func load(
        path: String, overrides: [String: String] = [:], secrets: SecretResolution, allowOutsideFiles: Bool = false,
        locationsAsTyped: Bool = false, inventoryVars: [InventoryVariable] = [],
        inventorySecrets: [InventorySecret] = []
    ) throws -> Playbook {
        let url = URL(fileURLWithPath: path)
        let data = try Self.read(path)
        guard let text = String(data: data, encoding: .utf8) else {
            throw EngineError(.invalidInput, "\(path) is not UTF-8 text")
        }
        let file = locationsAsTyped ? path : url.lastPathComponent
        guard let root = try YAMLNode.parse(text, file: file) else {
            throw EngineError(.invalidInput, "\(path) is empty", hint: "a playbook has name, vars, secrets and steps")
        }
        guard case .map(let entries, _) = root else {
            throw EngineError(.invalidInput, "a playbook must be a mapping (name:, vars:, steps:)", at: root.location)
        }
        for entry in entries where !Self.topLevelKeys.contains(entry.key) {
            throw EngineError(
                .invalidInput, "unknown key '\(entry.key)' at the top of the playbook", at: entry.keyLocation,
                hint: Suggestion.hint(for: entry.key, in: Self.topLevelKeys)
                    ?? "known keys: \(Self.topLevelKeys.joined(separator: ", "))")
        }
        // A key with nothing after it (`vars:` with every line commented out) is as good as absent.
        func value(_ key: String) -> YAMLNode? {
            guard let node = entries.first(where: { $0.key == key })?.value else { return nil }
            if case .scalar("", _) = node { return nil }
            return node
        }

        var context = LoadContext(
            file: file, directory: url.deletingLastPathComponent().path, resolution: secrets,
            allowOutsideFiles: allowOutsideFiles)
        let typedDirectory = (path as NSString).deletingLastPathComponent
        if locationsAsTyped && !typedDirectory.isEmpty { context.templatePrefix = typedDirectory + "/" }
        context.vars = try Self.vars(value("vars"))
        context.secrets = try Self.secretSources(value("secrets"), vars: context.vars)
        try context.applyInventoryVars(inventoryVars)
        try context.applyInventorySecrets(inventorySecrets)
        try context.applyOverrides(overrides)

        guard let stepsNode = value("steps") else {
            throw EngineError(.invalidInput, "the playbook has no steps", at: root.location, hint: "add a steps: list")
        }
        guard case .list(let stepNodes, _) = stepsNode else {
            throw EngineError(.invalidInput, "steps must be a list of '- id: …' entries", at: stepsNode.location)
        }
        var steps: [PlaybookStep] = []
        var seen: [String: SourceLocation] = [:]
        // A for_each step's id as written stands for all its copies in `needs`.
        var loops: [String: [String]] = [:]
        for node in stepNodes {
            let expanded = try context.steps(node)
            if case .map(let entries, _) = node, entries.contains(where: { $0.key == "for_each" }),
                case .scalar(let baseID, _)? = entries.first(where: { $0.key == "id" })?.value
            {
                loops[baseID, default: []] += expanded.map(\.input.id)
            }
            for step in expanded {
                if let first = seen[step.input.id] {
                    throw EngineError(
                        .invalidInput, "duplicate step id '\(step.input.id)' (first at line \(first.line))",
                        at: step.input.location)
                }
                seen[step.input.id] = step.input.location ?? stepsNode.location
                steps.append(step)
            }
        }
        let ids = steps.map(\.input.id)
        let skipped = Set(steps.filter(\.skipped).map(\.input.id))
        for (position, step) in steps.enumerated() {
            var needs: [String] = []
            var locations: [SourceLocation?] = []
            for (index, need) in step.needs.enumerated() {
                let location = step.needsLocations.indices.contains(index) ? step.needsLocations[index] : step.location
                let targets: [String]
                if ids.contains(need) {
                    targets = [need]
                } else if let copies = loops[need] {
                    targets = copies
                } else {
                    throw EngineError(
                        .unknownReference, "step '\(step.input.id)' needs unknown step '\(need)'",
                        at: location ?? step.location,
                        hint: Suggestion.hint(for: need, in: ids + loops.keys.sorted()))
                }
                // A step switched off by `when` is not run, so nothing waits for it.
                for target in targets where !skipped.contains(target) && !needs.contains(target) {
                    needs.append(target)
                    locations.append(location)
                }
            }
            steps[position].needs = needs
            steps[position].needsLocations = locations
        }
        try context.checkUnresolved()
        let probes = try context.probes(value("probes"))
        let name =
            try value("name").map { try context.plainScalar($0, what: "name") }
            ?? url.deletingPathExtension().lastPathComponent
        let description = try value("description").map { try context.plainScalar($0, what: "description") } ?? ""
        var playbook = Playbook(
            name: name, description: description, path: path, steps: steps, vars: context.vars.mapValues(\.field),
            probes: probes, secretValues: context.resolvedSecretValues, valueOrigins: context.origins)
        playbook.templateFiles = context.templateFiles
        return playbook
    }

    /// The playbook's bytes, or why they cannot be had: missing, a directory, not permitted.
    static func read(_ path: String) throws -> Data {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw EngineError(.notFound, "cannot read playbook \(path): no such file", hint: "check the path")
        }
        if isDirectory.boolValue {
            throw EngineError(
                .invalidInput, "cannot read playbook \(path): it is a directory",
                hint: "name the playbook's .yml file in it")
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw EngineError(
                .invalidInput, "cannot read playbook \(path): permission denied",
                hint: "check the file's mode and owner")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EngineError(.invalidInput, "cannot read playbook \(path)", hint: "check the path")
        }
        return data
    }

    static func vars(_ node: YAMLNode?) throws -> [String: LoadContext.Variable] {
        guard let node else { return [:] }
        guard case .map(let entries, _) = node else {
            throw EngineError(.invalidInput, "vars must be a mapping of name: default value", at: node.location)
        }
        var vars: [String: LoadContext.Variable] = [:]
        for entry in entries {
            try LoadContext.checkName(entry.key, at: entry.keyLocation, what: "variable")
            let field = try LoadContext.field(entry.value)
            if let reference = Self.firstPlaceholder(in: field) {
                throw EngineError(
                    .invalidInput, "variable '\(entry.key)' refers to another variable; vars hold plain values",
                    at: reference,
                    hint: "write the value itself, and use {{ }} in the steps")
            }
            vars[entry.key] = LoadContext.Variable(field: field, location: entry.keyLocation)
        }
        return vars
    }

    /// Where a `{{` occurs in a variable's value, if anywhere.
    static func firstPlaceholder(in field: InputField) -> SourceLocation? {
        switch field.value {
        case .scalar(let text):
            guard let offset = Template.firstOpening(in: text), let location = field.location else { return nil }
            return Template.offset(location, in: text, by: offset)
        case .list(let items): return items.lazy.compactMap(firstPlaceholder).first
        case .map(let entries):
            return entries.keys.sorted().lazy.compactMap { entries[$0].flatMap(firstPlaceholder) }.first
        }
    }

    static func secretSources(_ node: YAMLNode?, vars: [String: LoadContext.Variable]) throws -> [String: SecretSource]
    {
        guard let node else { return [:] }
        guard case .map(let entries, _) = node else {
            throw EngineError(
                .invalidInput, "secrets must be a mapping of name: { env: VAR } (or file:, prompt:)", at: node.location)
        }
        var sources: [String: SecretSource] = [:]
        for entry in entries {
            try LoadContext.checkName(entry.key, at: entry.keyLocation, what: "secret")
            if vars[entry.key] != nil {
                throw EngineError(
                    .invalidInput, "'\(entry.key)' is both a variable and a secret", at: entry.keyLocation)
            }
            sources[entry.key] = try SecretSource(name: entry.key, node: entry.value)
        }
        return sources
    }
}
