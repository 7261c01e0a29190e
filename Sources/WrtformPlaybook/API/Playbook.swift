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
