import Foundation
import WrtformUCI

/// Typed reads of a step's fields; every error points at the field's own location.
extension StepInput {
    func location(of key: String) -> SourceLocation? {
        fields[key]?.location ?? location
    }

    /// An error about a field. A secret field's value is never quoted: it is replaced by "(secret)".
    func error(_ key: String, _ message: String, hint: String? = nil) -> EngineError {
        var message = message
        if let field = fields[key], field.isSecret, case .scalar(let value) = field.value, !value.isEmpty {
            message = message.replacingOccurrences(of: value, with: "(secret)")
        }
        return EngineError(.invalidInput, message, at: location(of: key), hint: hint)
    }

    func isSecret(_ key: String) -> Bool {
        guard let field = fields[key] else { return false }
        return field.isSecret
    }

    /// The mapping of options wrtform does not know yet, written as given: an explicit opt-in, so a
    /// typo in a known option's name is an error rather than a new option on the router.
    static let extraOptionsKey = "extra_options"

    /// Rejects fields the kind does not know, first in file order, suggesting the nearest known one.
    /// `options` are the uci options the section may hold; without a near match the hint points at
    /// `extra_options:` for them, else lists the kind's fields.
    func allowOnly(_ known: Set<String>, options: Set<String>? = nil, context: String? = nil) throws {
        var all = known.union(options ?? [])
        if options != nil { all.insert(Self.extraOptionsKey) }
        for key in keysInFileOrder where !all.contains(key) {
            let fallback =
                options != nil
                ? "options wrtform does not know go under \(Self.extraOptionsKey):"
                : "known fields: \(known.sorted().joined(separator: ", "))"
            throw error(
                key, "\(kind) step '\(id)': unknown field '\(key)'\(context.map { " " + $0 } ?? "")",
                hint: Suggestion.hint(for: key, in: all.sorted()) ?? fallback)
        }
    }

    /// Field names in the order they were written (so the first typo reported is the first one made).
    var keysInFileOrder: [String] {
        fields.sorted { lhs, rhs in
            switch (lhs.value.location, rhs.value.location) {
            case (let l?, let r?): return (l.line, l.column, lhs.key) < (r.line, r.column, rhs.key)
            default: return lhs.key < rhs.key
            }
        }.map(\.key)
    }

    func string(_ key: String) throws -> String? {
        guard let field = fields[key] else { return nil }
        guard case .scalar(let text) = field.value else {
            throw error(key, "\(key) of step '\(id)' must be a single value, not a list or mapping")
        }
        return text
    }

    func requiredString(_ key: String) throws -> String {
        guard let text = try string(key), !text.isEmpty else {
            throw EngineError(.invalidInput, "\(kind) step '\(id)' needs a '\(key)'", at: location)
        }
        return text
    }

    func strings(_ key: String) throws -> [String]? {
        guard let field = fields[key] else { return nil }
        switch field.value {
        case .scalar(let text): return [text]
        case .list(let items):
            return try items.map { item in
                guard case .scalar(let text) = item.value else {
                    throw EngineError(
                        .invalidInput, "\(key) of step '\(id)' must be a list of values",
                        at: item.location ?? field.location)
                }
                return text
            }
        case .map:
            throw error(key, "\(key) of step '\(id)' must be a value or a list, not a mapping")
        }
    }

    func map(_ key: String) throws -> [String: InputField]? {
        guard let field = fields[key] else { return nil }
        guard case .map(let entries) = field.value else {
            throw error(key, "\(key) of step '\(id)' must be a mapping")
        }
        return entries
    }

    func integer(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let text = try string(key) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw error(key, "\(key) \(text) is out of range (\(range.lowerBound)-\(range.upperBound))")
        }
        return value
    }

    /// The remaining fields as uci options, in the order they were written.
    /// Then the `extra_options:` mapping's, which may not repeat a field.
    func options(excluding excluded: Set<String>) throws -> [OptionSetting] {
        let own = try Self.options(
            from: fields.filter { !excluded.contains($0.key) && $0.key != Self.extraOptionsKey }, step: self)
        let extra = try map(Self.extraOptionsKey) ?? [:]
        for key in extra.keys.sorted() where fields[key] != nil {
            throw EngineError(
                .invalidInput, "\(kind) step '\(id)': '\(key)' is both a field and in \(Self.extraOptionsKey)",
                at: extra[key]?.location ?? location, hint: "keep one of them")
        }
        return own + (try Self.options(from: extra, step: self))
    }

    static func options(from fields: [String: InputField], step: StepInput) throws -> [OptionSetting] {
        let ordered = fields.sorted { lhs, rhs in
            switch (lhs.value.location, rhs.value.location) {
            case (let l?, let r?): return (l.line, l.column, lhs.key) < (r.line, r.column, rhs.key)
            default: return lhs.key < rhs.key
            }
        }
        return try ordered.map { key, field in
            guard Validate.uciName(key) else {
                throw EngineError(
                    .invalidInput, "'\(key)' is not a valid uci option name (letters, digits, _)",
                    at: field.location ?? step.location)
            }
            return OptionSetting(key, try uciValue(field, key: key, step: step))
        }
    }

    static func uciValue(_ field: InputField, key: String, step: StepInput) throws -> UCIValue {
        func check(_ text: String, _ at: SourceLocation?) throws -> String {
            if let problem = Validate.configValue(text) {
                throw EngineError(.invalidInput, "\(key) of step '\(step.id)': \(problem)", at: at ?? step.location)
            }
            return normalizedBoolean(text)
        }
        switch field.value {
        case .scalar(let text): return .single(try check(text, field.location))
        case .list(let items):
            return .list(
                try items.map { item in
                    guard case .scalar(let text) = item.value else {
                        throw EngineError(
                            .invalidInput, "\(key) of step '\(step.id)' must be a list of values",
                            at: item.location ?? field.location)
                    }
                    return try check(text, item.location ?? field.location)
                })
        case .map:
            throw EngineError(
                .invalidInput, "\(key) of step '\(step.id)' cannot be a mapping", at: field.location ?? step.location)
        }
    }

    /// uci's booleans are '1' and '0'; YAML's true/false are written that way.
    static func normalizedBoolean(_ text: String) -> String {
        switch text.lowercased() {
        case "true": return "1"
        case "false": return "0"
        default: return text
        }
    }

    /// Option keys whose values came from secrets, plus the usual secret names.
    var secretOptionKeys: Set<String> {
        var keys = Set(fields.filter { $0.value.isSecret }.map(\.key))
        if case .map(let extra)? = fields[Self.extraOptionsKey]?.value {
            keys.formUnion(extra.filter { $0.value.isSecret }.map(\.key))
        }
        return keys.union(["password", "key", "psk", "private_key"])
    }
}
