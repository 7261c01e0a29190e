/// How a load gets secret values.
public enum SecretResolution: Sendable {
    /// Stand-ins instead of values: `validate` and `graph` need no secrets.
    case placeholders
    /// Real values: from the given environment, owner-only files, or the prompter (nil: no terminal).
    case resolve(environment: [String: String], prompter: (any SecretPrompter)?)
}

/// Asks a person for a secret (the CLI's terminal prompt, with echo off).
public protocol SecretPrompter: Sendable {
    func prompt(_ message: String) throws -> String
}
