import Foundation

/// Imported fields as a step kind takes them, with secrets filled in from the router's values,
/// so the import can check each step against the router before writing it.
enum ImportInput {
    static func fields(_ fields: [ImportedField], secrets: [String: String], vars: [String: String] = [:]) -> [String:
        InputField]
    {
        var out: [String: InputField] = [:]
        for (index, field) in fields.enumerated() {
            // Locations keep the router's option order when a step writes a new section.
            let location = SourceLocation(file: "import", line: index + 1, column: 1)
            out[field.key] = value(field.value, secrets: secrets, vars: vars, at: location)
        }
        return out
    }

    static func value(
        _ value: ImportedValue, secrets: [String: String], vars: [String: String], at location: SourceLocation
    ) -> InputField {
        switch value {
        case .text(let text): return InputField(.scalar(text), at: location)
        case .list(let items):
            return InputField(.list(items.map { InputField(.scalar($0), at: location) }), at: location)
        case .secret(let name): return InputField(.scalar(secrets[name] ?? ""), at: location, isSecret: true)
        case .template(let text):
            var filled = text
            var secret = false
            for name in placeholders(in: text) {
                if secrets[name] != nil { secret = true }
                filled = filled.replacingOccurrences(of: "{{ \(name) }}", with: secrets[name] ?? vars[name] ?? "")
            }
            return InputField(.scalar(filled), at: location, isSecret: secret)
        case .map(let inner): return InputField(.map(fields(inner, secrets: secrets, vars: vars)), at: location)
        }
    }

    /// The names in `{{ name }}` placeholders the import wrote.
    static func placeholders(in text: String) -> Set<String> {
        var names: Set<String> = []
        var rest = Substring(text)
        while let open = rest.range(of: "{{ "), let close = rest[open.upperBound...].range(of: " }}") {
            names.insert(String(rest[open.upperBound..<close.lowerBound]))
            rest = rest[close.upperBound...]
        }
        return names
    }
}
