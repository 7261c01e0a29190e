import Foundation
import WrtformEngine

extension LoadContext {
    /// Fields that may hold a secret, by step kind: option values and file contents. Anything else
    /// names or finds something (a section name, a match value, a path, a table name), is kept in
    /// journals and shown by `history` and `rollback`, which have no playbook to mask it with.
    static let secretFields: [String: @Sendable (String) -> Bool] = [
        StepKind.interface.rawValue: { $0 != "name" },
        StepKind.interfaceOptions.rawValue: { $0 != "name" },
        StepKind.uciSection.rawValue: { $0 == "options" },
        StepKind.uciOption.rawValue: { $0 == "options" },
        StepKind.file.rawValue: { $0 == "content" },
    ]

    static func checkSecretPlaces(_ fields: [String: InputField], kind: String, id: String) throws {
        let allowed = secretFields[kind] ?? { _ in false }
        for key in fields.keys.sorted() where !allowed(key) {
            guard let field = fields[key], let place = firstSecret(in: field) else { continue }
            // `place` is where the secret was written (nil only if nothing says where).
            throw EngineError(
                .invalidInput,
                "\(kind) step '\(id)': \(key) cannot hold a secret (it names or finds something, so it would be kept in journals and shown by history)",
                at: place, hint: "secrets belong in option values and file contents")
        }
    }

    /// Where the first secret-derived value in a field is, if any.
    static func firstSecret(in field: InputField, near fallback: SourceLocation? = nil) -> SourceLocation?? {
        let here = field.location ?? fallback
        switch field.value {
        case .scalar: return field.isSecret ? .some(here) : nil
        case .list(let items):
            return items.lazy.compactMap { firstSecret(in: $0, near: here) }.first
                ?? (field.isSecret ? .some(here) : nil)
        case .map(let entries):
            return entries.keys.sorted().lazy.compactMap { entries[$0].flatMap { firstSecret(in: $0, near: here) } }
                .first
                ?? (field.isSecret ? .some(here) : nil)
        }
    }
}
