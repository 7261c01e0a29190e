import Foundation
import WrtformEngine

/// The state of one load: variables, secrets (resolved on first use), and the playbook's place.
struct LoadContext {
    struct Variable {
        var field: InputField
        var location: SourceLocation
    }

    var file: String
    var directory: String
    var resolution: SecretResolution
    /// Where templates and secret files may come from.
    var folder: PlaybookDirectory
    var vars: [String: Variable] = [:]
    var secrets: [String: SecretSource] = [:]
    private var resolved: [String: String] = [:]
    /// Variables set by `--var`, and the locations their values were substituted at.
    var overridden: Set<String> = []
    var origins: [SourceLocation: String] = [:]
    /// Put before a relative template's name in locations (the playbook's directory as typed).
    var templatePrefix = ""
    /// Template files read, as absolute paths: with the playbook, what a saved plan's digest covers.
    var templateFiles: [String] = []
    /// Secrets that could not be had, so the user learns of all of them at once.
    private(set) var unresolved: [EngineError] = []

    init(file: String, directory: String, resolution: SecretResolution, allowOutsideFiles: Bool = false) {
        self.file = file
        self.directory = directory
        self.folder = PlaybookDirectory(path: directory, allowOutside: allowOutsideFiles)
        self.resolution = resolution
    }

    var resolvedSecretValues: [String] { Array(resolved.values) }

    /// Every missing secret in one line, at the first one's place.
    func checkUnresolved() throws {
        guard let first = unresolved.first else { return }
        guard unresolved.count > 1 else { throw first }
        let rest = unresolved.dropFirst().map { error in
            (error.location.map { "\($0): " } ?? "") + error.message
        }
        throw EngineError(
            .notFound, "\(unresolved.count) secrets are missing: \(first.message); \(rest.joined(separator: "; "))",
            at: first.location,
            hint: "give each of them before running wrtform")
    }

    static func checkName(_ name: String, at location: SourceLocation, what: String) throws {
        // By scalar: "a" + U+0301 is one Character that isLetter would accept.
        func word(_ scalar: Unicode.Scalar) -> Bool {
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_")
        }
        guard let first = name.unicodeScalars.first, first.isASCII, first.properties.isAlphabetic || first == "_",
            name.unicodeScalars.allSatisfy(word)
        else {
            throw EngineError(.invalidInput, "'\(name)' is not a valid \(what) name (letters, digits, _)", at: location)
        }
    }

    static func field(_ node: YAMLNode) throws -> InputField {
        switch node {
        case .scalar(let text, let location): return InputField(.scalar(text), at: location)
        case .list(let items, let location): return InputField(.list(try items.map(field)), at: location)
        case .map(let entries, let location):
            var map: [String: InputField] = [:]
            for entry in entries {
                var value = try field(entry.value)
                value.location = value.location ?? entry.keyLocation
                map[entry.key] = value
            }
            return InputField(.map(map), at: location)
        }
    }

    mutating func applyOverrides(_ overrides: [String: String]) throws {
        for (name, value) in overrides.sorted(by: { $0.key < $1.key }) {
            guard var variable = vars[name] else {
                if secrets[name] != nil {
                    throw EngineError(
                        .invalidInput, "--var \(name): '\(name)' is a secret, not a variable",
                        hint: "secrets come from the environment, a file or a prompt, never the command line")
                }
                throw EngineError(
                    .invalidInput, "--var \(name): the playbook has no variable '\(name)'",
                    hint: Suggestion.hint(for: name, in: vars.keys.sorted())
                        ?? "variables: \(vars.keys.sorted().joined(separator: ", "))")
            }
            let location = SourceLocation(file: "--var \(name)", line: 1, column: 1)
            if Template.firstOpening(in: value) != nil {
                throw EngineError(
                    .invalidInput, "--var \(name): a value cannot refer to {{ variables }}",
                    hint: "give the value itself")
            }
            if case .list = variable.field.value {
                // A list variable takes a comma-separated override: --var forward_ports=443,8443
                let items = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                    !$0.isEmpty
                }
                variable.field = InputField(.list(items.map { InputField(.scalar($0), at: location) }), at: location)
            } else {
                variable.field = InputField(.scalar(value), at: location)
            }
            vars[name] = variable
            overridden.insert(name)
        }
    }

    /// An error about a value that came from `--var NAME` says so.
    func attributed(_ error: EngineError, to name: String) -> EngineError {
        guard overridden.contains(name), !error.message.contains("(from --var ") else { return error }
        var error = error
        error.message += " (from --var \(name))"
        return error
    }

    func plainScalar(_ node: YAMLNode, what: String) throws -> String {
        guard case .scalar(let text, _) = node else {
            throw EngineError(.invalidInput, "\(what) must be a single value", at: node.location)
        }
        return text
    }

    // MARK: Steps

    /// A step entry, or one per item with `for_each: LIST_VARIABLE` (the item is `{{ item }}` and
    /// the id gets `-ITEM` appended).
    mutating func steps(_ node: YAMLNode) throws -> [PlaybookStep] {
        guard case .map(let entries, _) = node, let loop = entries.first(where: { $0.key == "for_each" }) else {
            return [try step(node)]
        }
        guard case .scalar(let name, let location) = loop.value else {
            throw EngineError(.invalidInput, "for_each names one list variable", at: loop.value.location)
        }
        guard let variable = vars[name] else {
            throw EngineError(
                .unknownReference, "for_each: unknown variable '\(name)'", at: location,
                hint: Suggestion.hint(for: name, in: vars.keys.sorted()))
        }
        guard case .list(let items) = variable.field.value else {
            throw EngineError(.invalidInput, "for_each: variable '\(name)' is not a list", at: location)
        }
        let saved = vars["item"]
        defer { vars["item"] = saved }
        var result: [PlaybookStep] = []
        for item in items {
            guard case .scalar(let text) = item.value else {
                throw EngineError(
                    .invalidInput, "for_each: the items of '\(name)' must be single values",
                    at: item.location ?? location)
            }
            vars["item"] = Variable(field: item, location: location)
            result.append(try step(node, idSuffix: "-" + text))
        }
        return result
    }

    mutating func step(_ node: YAMLNode, idSuffix: String = "") throws -> PlaybookStep {
        guard case .map(let entries, let location) = node else {
            throw EngineError(
                .invalidInput, "a step must be a mapping: - id: NAME, then one step kind", at: node.location)
        }
        func entry(_ key: String) -> YAMLNode.Entry? { entries.first { $0.key == key } }
        guard let idEntry = entry("id"), case .scalar(let baseID, let idLocation) = idEntry.value, !baseID.isEmpty
        else {
            throw EngineError(.invalidInput, "a step needs an id", at: location, hint: "start it with - id: NAME")
        }
        let id = baseID + idSuffix
        guard
            id.unicodeScalars.allSatisfy({
                $0.isASCII
                    && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_.-".unicodeScalars.contains($0))
            })
        else {
            throw EngineError(.invalidInput, "step id '\(id)' may hold only letters, digits, _ . -", at: idLocation)
        }
        var kinds: [YAMLNode.Entry] = []
        for entry in entries where !PlaybookLoader.stepKeys.contains(entry.key) {
            guard StepKind(rawValue: entry.key) != nil else {
                // A near-miss of a kind is a misspelt kind; of id/needs/when/for_each, a misspelt key.
                let closest = Suggestion.closest(to: entry.key, in: StepKind.names + PlaybookLoader.stepKeys)
                let message =
                    closest.map { StepKind(rawValue: $0) != nil } == true
                    ? "unknown step kind '\(entry.key)'" : "unknown key '\(entry.key)' in step '\(id)'"
                throw EngineError(
                    .invalidInput, message, at: entry.keyLocation,
                    hint: closest.map { "did you mean '\($0)'?" }
                        ?? "a step has id, needs, when, for_each and one of: \(StepKind.names.joined(separator: ", "))")
            }
            kinds.append(entry)
        }
        guard kinds.count == 1, let kindEntry = kinds.first else {
            throw EngineError(
                .invalidInput,
                kinds.isEmpty
                    ? "step '\(id)' has no step kind"
                    : "step '\(id)' has \(kinds.count) step kinds (\(kinds.map(\.key).joined(separator: ", ")))",
                at: kinds.dropFirst().first?.keyLocation ?? location,
                hint: "give each step exactly one of: \(StepKind.names.joined(separator: ", "))")
        }

        var needs: [String] = []
        var needsLocations: [SourceLocation?] = []
        if let needsEntry = entry("needs") {
            let items: [YAMLNode]
            switch needsEntry.value {
            case .list(let list, _): items = list
            case .scalar: items = [needsEntry.value]
            case .map:
                throw EngineError(.invalidInput, "needs must be a list of step ids", at: needsEntry.value.location)
            }
            for item in items {
                guard case .scalar(let need, let needLocation) = item else {
                    throw EngineError(.invalidInput, "needs must be a list of step ids", at: item.location)
                }
                needs.append(need)
                needsLocations.append(needLocation)
            }
        }

        var skipped = false
        if let whenEntry = entry("when") {
            guard case .scalar(let written, let whenLocation) = whenEntry.value else {
                throw EngineError(.invalidInput, "when names one variable", at: whenEntry.value.location)
            }
            // `when: NAME is set`: runs when the variable holds any value (an address), skips when it is empty.
            let presence = written.hasSuffix(" is set")
            let name = presence ? String(written.dropLast(" is set".count)) : written
            guard let variable = vars[name] else {
                let hint =
                    Template.firstOpening(in: name) != nil
                    ? "when names the variable bare: when: NAME" : Suggestion.hint(for: name, in: vars.keys.sorted())
                throw EngineError(.unknownReference, "when: unknown variable '\(name)'", at: whenLocation, hint: hint)
            }
            guard case .scalar(let value) = variable.field.value else {
                throw EngineError(.invalidInput, "when: variable '\(name)' must be true or false", at: whenLocation)
            }
            switch value.lowercased() {
            case _ where presence: skipped = value.isEmpty
            case "true", "yes", "on", "1": skipped = false
            case "false", "no", "off", "0", "": skipped = true
            default:
                throw EngineError(
                    .invalidInput, "when: variable '\(name)' is '\(value)', not true or false", at: whenLocation)
            }
        }

        guard case .map(let fieldEntries, _) = kindEntry.value else {
            throw EngineError(
                .invalidInput, "the fields of \(kindEntry.key) step '\(id)' must be a mapping",
                at: kindEntry.value.location)
        }
        var fields: [String: InputField] = [:]
        if !skipped {
            let isFile = kindEntry.key == StepKind.file.rawValue
            var content: YAMLNode.Entry?
            for fieldEntry in fieldEntries {
                // A file's content is written for the text around each placeholder, which needs its path first.
                if isFile && fieldEntry.key == "content" {
                    content = fieldEntry
                    continue
                }
                var value = try substitute(try Self.field(fieldEntry.value), multiline: false)
                value.location = value.location ?? fieldEntry.keyLocation
                fields[fieldEntry.key] = value
            }
            let dialect = Self.dialect(forPath: fields["path"])
            if let content {
                var value = try fileContent(try Self.field(content.value), dialect: dialect)
                value.location = value.location ?? content.keyLocation
                fields["content"] = value
            }
            if isFile, let template = fields.removeValue(forKey: "template") {
                if fields["content"] != nil {
                    throw EngineError(
                        .invalidInput, "file step '\(id)' has both content and template", at: template.location,
                        hint: "keep one of them")
                }
                fields["content"] = try render(template, dialect: dialect)
            }
        }
        try Self.checkSecretPlaces(fields, kind: kindEntry.key, id: id)
        let input = StepInput(
            id: id, kind: kindEntry.key, fields: fields, location: idLocation, baseDirectory: directory)
        return PlaybookStep(
            input: input, needs: needs, needsLocations: needsLocations, skipped: skipped, location: idLocation)
    }

    // MARK: Substitution

    mutating func substitute(_ field: InputField, multiline: Bool) throws -> InputField {
        switch field.value {
        case .list(let items):
            var result: [InputField] = []
            for item in items {
                let substituted = try substitute(item, multiline: false)
                // A list variable standing alone inside a list is spliced in.
                if case .list(let inner) = substituted.value, case .scalar = item.value {
                    result += inner
                } else {
                    result.append(substituted)
                }
            }
            return InputField(.list(result), at: field.location, isSecret: result.contains { $0.isSecret })
        case .map(let entries):
            var result: [String: InputField] = [:]
            for (key, value) in entries { result[key] = try substitute(value, multiline: false) }
            return InputField(.map(result), at: field.location, isSecret: result.values.contains { $0.isSecret })
        case .scalar(let text):
            let location = field.location ?? SourceLocation(file: file, line: 1, column: 1)
            let substituted = try substitute(text, at: location)
            do {
                try Self.checkCharacters(substituted, multiline: multiline, at: location)
            } catch let error as EngineError {
                throw origins[error.location ?? location].map { attributed(error, to: $0) } ?? origins[location].map {
                    attributed(error, to: $0)
                } ?? error
            }
            return substituted
        }
    }

    /// NUL never, newlines only in a file's content — also inside a list or mapping a variable
    /// brought in whole.
    static func checkCharacters(_ field: InputField, multiline: Bool, at location: SourceLocation) throws {
        switch field.value {
        case .scalar(let value):
            if value.unicodeScalars.contains("\u{0}") {
                throw EngineError(
                    .invalidInput, field.isSecret ? "a secret value cannot contain NUL" : "a value cannot contain NUL",
                    at: location)
            }
            if !multiline && value.unicodeScalars.contains(where: { $0 == "\n" || $0 == "\r" }) {
                throw EngineError(
                    .invalidInput,
                    field.isSecret ? "a secret value cannot contain a newline" : "a value cannot contain a newline",
                    at: location, hint: "only a file step's content may span lines")
            }
            // What plan would refuse (and what could drive a terminal: ESC, DEL, C1 controls), refused
            // here, so validate finds it without a router.
            if !multiline,
                let bad = value.unicodeScalars.first(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
            {
                throw EngineError(
                    .invalidInput,
                    "\(field.isSecret ? "a secret value" : "a value") cannot contain a control character (U+\(hex(bad)))",
                    at: location, hint: "only a file step's content may hold control characters")
            }
        case .list(let items):
            for item in items { try checkCharacters(item, multiline: false, at: item.location ?? location) }
        case .map(let entries):
            for key in entries.keys.sorted() {
                if let item = entries[key] {
                    try checkCharacters(item, multiline: false, at: item.location ?? location)
                }
            }
        }
    }

    mutating func substitute(_ text: String, at location: SourceLocation) throws -> InputField {
        let pieces = try Template.pieces(text, at: location)
        if pieces.count == 1, case .name(let name, let offset) = pieces[0] {
            var value = try lookup(name, at: Template.offset(location, in: text, by: offset))
            value.location = location
            if overridden.contains(name) { record(value, from: name) }
            return value
        }
        var result = ""
        var secret = false
        for piece in pieces {
            switch piece {
            case .text(let part): result += part
            case .name(let name, let offset):
                let value = try lookup(name, at: Template.offset(location, in: text, by: offset))
                guard case .scalar(let scalar) = value.value else {
                    throw EngineError(
                        .invalidInput, "variable '\(name)' is a list or mapping: it can only stand alone in a value",
                        at: Template.offset(location, in: text, by: offset))
                }
                result += scalar
                secret = secret || value.isSecret
                if overridden.contains(name) { origins[location] = name }
            }
        }
        return InputField(.scalar(result), at: location, isSecret: secret)
    }

    /// Remembers where an overridden variable's value went (a list's items keep their own places).
    mutating func record(_ field: InputField, from name: String) {
        if let location = field.location { origins[location] = name }
        if case .list(let items) = field.value { for item in items { record(item, from: name) } }
    }

    /// `location` is only worked out when needed (an error, a secret): in a long text with many
    /// placeholders, finding each one's line and column would read the text once per placeholder.
    mutating func lookup(_ name: String, at location: @autoclosure () -> SourceLocation) throws -> InputField {
        if let variable = vars[name] { return variable.field }
        if let source = secrets[name] {
            if let value = resolved[name] { return InputField(.scalar(value), at: location(), isSecret: true) }
            let value: String
            switch resolution {
            case .placeholders:
                // No value is read, but a file outside the playbook's folder is refused all the same.
                if case .file(let path) = source.kind { _ = try source.confinedPath(path, in: folder) }
                value = "secret-\(name)"
            case .resolve(let environment, let prompter):
                do {
                    value = try source.resolve(environment: environment, prompter: prompter, folder: folder)
                } catch let error as EngineError where error.kind == .notFound {
                    // Missing: carry on with a stand-in, and report it with the others at the end.
                    unresolved.append(error)
                    value = "secret-\(name)"
                }
            }
            resolved[name] = value
            return InputField(.scalar(value), at: location(), isSecret: true)
        }
        throw EngineError(
            .unknownReference, "unknown variable '\(name)'", at: location(),
            hint: Suggestion.hint(for: name, in: (Array(vars.keys) + Array(secrets.keys)).sorted())
                ?? "define it under vars: or secrets:")
    }

    // MARK: Probes

    func probes(_ node: YAMLNode?) throws -> [PostCheck] {
        guard let node else { return [] }
        guard case .list(let items, _) = node else {
            throw EngineError(.invalidInput, "probes must be a list of { name, command }", at: node.location)
        }
        return try items.map { item in
            if case .map(let entries, _) = item,
                let unknown = entries.first(where: { !["name", "command"].contains($0.key) })
            {
                throw EngineError(
                    .invalidInput, "unknown key '\(unknown.key)' in a probe", at: unknown.keyLocation,
                    hint: Suggestion.hint(for: unknown.key, in: ["name", "command"])
                        ?? "a probe has a name and a command")
            }
            guard case .map(let entries, _) = item,
                case .scalar(let name, _)? = entries.first(where: { $0.key == "name" })?.value,
                case .scalar(let command, let commandLocation)? = entries.first(where: { $0.key == "command" })?.value
            else {
                throw EngineError(.invalidInput, "a probe needs a name and a command", at: item.location)
            }
            if Template.firstOpening(in: command) != nil {
                throw EngineError(
                    .invalidInput, "probe commands take no {{ }} substitution (they are shell)", at: commandLocation)
            }
            return PostCheck(name, command: command, needsNetifd: false)
        }
    }
}
