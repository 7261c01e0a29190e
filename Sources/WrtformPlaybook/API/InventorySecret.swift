import WrtformEngine

/// One `secrets:` entry of an inventory: which environment variable holds a playbook secret for the
/// hosts it applies to (`pppoe_password: { env: WRTFORM_PARENTS_PPPOE_PASSWORD }`). The value itself
/// stays in the environment; only the variable's name is written down.
public struct InventorySecret: Sendable, Equatable {
    /// The playbook's secret name.
    public var name: String
    /// The environment variable to read it from.
    public var variable: String
    public var location: SourceLocation

    public init(name: String, variable: String, location: SourceLocation) {
        self.name = name
        self.variable = variable
        self.location = location
    }

    /// Parses a `secrets:` mapping of `name: { env: VARIABLE }`.
    static func parse(_ node: YAMLNode, owner: String) throws -> [InventorySecret] {
        guard case .map(let entries, _) = node else {
            throw EngineError(
                .invalidInput, "secrets of \(owner) must be a mapping of name: { env: VARIABLE }", at: node.location)
        }
        return try entries.map { entry in
            guard case .map(let fields, _) = entry.value, fields.count == 1, let field = fields.first,
                case .scalar(let variable, let valueLocation) = field.value
            else {
                throw EngineError(
                    .invalidInput, "secret '\(entry.key)' of \(owner) must be { env: VARIABLE }",
                    at: entry.value.location, hint: "the inventory names the environment variable, never the value")
            }
            guard field.key == "env" else {
                throw EngineError(
                    .invalidInput, "secret '\(entry.key)' of \(owner) can only come from env: in an inventory",
                    at: field.keyLocation,
                    hint: "write { env: VARIABLE }; a file or a prompt is set in the playbook")
            }
            guard isVariableName(variable) else {
                throw EngineError(
                    .invalidInput, "'\(variable)' is not an environment variable name", at: valueLocation,
                    hint: "letters, digits and _, not starting with a digit")
            }
            return InventorySecret(name: entry.key, variable: variable, location: entry.keyLocation)
        }
    }

    /// A POSIX shell variable name, checked by bytes: `[A-Za-z_][A-Za-z0-9_]*`.
    static func isVariableName(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return false }
        return bytes.allSatisfy { byte in
            byte == UInt8(ascii: "_") || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
    }
}
