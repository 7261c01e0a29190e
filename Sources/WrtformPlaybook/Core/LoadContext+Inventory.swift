import Foundation
import WrtformEngine

extension LoadContext {
    /// An inventory's vars for one host (already merged: inventory < groups < host), applied over the
    /// playbook's own vars and under `--var`. An unknown name is reported where the inventory wrote it.
    mutating func applyInventoryVars(_ variables: [InventoryVariable]) throws {
        for entry in variables {
            guard var variable = vars[entry.name] else {
                if secrets[entry.name] != nil {
                    throw EngineError(
                        .invalidInput, "'\(entry.name)' is a secret of the playbook, not a variable",
                        at: entry.location,
                        hint: "secrets come from the environment, a file or a prompt, never the inventory")
                }
                throw EngineError(
                    .invalidInput, "the playbook has no variable '\(entry.name)'", at: entry.location,
                    hint: Suggestion.hint(for: entry.name, in: vars.keys.sorted())
                        ?? "variables: \(vars.keys.sorted().joined(separator: ", "))")
            }
            if Template.firstOpening(in: entry.value) != nil {
                throw EngineError(
                    .invalidInput, "inventory variable '\(entry.name)' cannot refer to {{ variables }}",
                    at: entry.location, hint: "give the value itself")
            }
            if case .list = variable.field.value {
                let items = entry.value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                    .filter { !$0.isEmpty }
                variable.field = InputField(
                    .list(items.map { InputField(.scalar($0), at: entry.location) }),
                    at: entry.location)
            } else {
                variable.field = InputField(.scalar(entry.value), at: entry.location)
            }
            vars[entry.name] = variable
        }
    }
}

extension LoadContext {
    /// An inventory's secret sources for one host (merged): each names a secret the playbook declares
    /// and the environment variable to read instead. A missing variable is then reported at the
    /// inventory's line, which is where the user chose it.
    mutating func applyInventorySecrets(_ sources: [InventorySecret]) throws {
        for entry in sources {
            guard var source = secrets[entry.name] else {
                if vars[entry.name] != nil {
                    throw EngineError(
                        .invalidInput, "'\(entry.name)' is a variable of the playbook, not a secret",
                        at: entry.location, hint: "set it under vars:")
                }
                let names = secrets.keys.sorted()
                throw EngineError(
                    .invalidInput, "the playbook has no secret '\(entry.name)'", at: entry.location,
                    hint: Suggestion.hint(for: entry.name, in: names)
                        ?? (names.isEmpty
                            ? "the playbook declares no secrets" : "secrets: \(names.joined(separator: ", "))"))
            }
            source.kind = .environment(entry.variable)
            source.location = entry.location
            secrets[entry.name] = source
        }
    }
}
