import WrtformEngine

/// A loaded playbook: its steps as the engine's inputs, with variables substituted and secrets resolved.
public struct Playbook: Sendable {
    public var name: String
    public var description: String
    public var path: String
    public var steps: [PlaybookStep]
    /// Variables after `--var` overrides.
    public var vars: [String: InputField]
    /// Health probes: commands that must exit 0 on the router after a reload.
    public var probes: [PostCheck]
    /// The resolved secret values, so the CLI can scrub any output as a last line of defence.
    public var secretValues: [String]
    /// Which `--var` override a value at a location came from, so an error about it can say
    /// "from --var server_ip" (the location alone points at the playbook, where the value is not).
    public var valueOrigins: [SourceLocation: String] = [:]
    /// The template files the steps were rendered from (absolute paths), in the order first read.
    public var templateFiles: [String] = []

    /// The error with "(from --var NAME)" added when the value it is about came from an override.
    public func attributing(_ error: EngineError) -> EngineError {
        guard let location = error.location, let name = valueOrigins[location] else { return error }
        var error = error
        error.message += " (from --var \(name))"
        return error
    }

    /// A variable's value as a scalar string, if it is one.
    public func scalar(_ name: String) -> String? {
        guard case .scalar(let value)? = vars[name]?.value else { return nil }
        return value
    }
}

/// One entry of `steps:`.
public struct PlaybookStep: Sendable {
    public var input: StepInput
    public var needs: [String]
    public var needsLocations: [SourceLocation?]
    /// Skipped by `when:` (its variable is false).
    public var skipped: Bool
    public var location: SourceLocation?
}
