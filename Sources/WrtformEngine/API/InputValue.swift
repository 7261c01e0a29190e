/// A value as a playbook gives it, before a step kind interprets it.
/// Scalars stay strings so a step decides what `0`, `yes` or `443` mean for each field.
public enum InputValue: Sendable, Hashable {
    case scalar(String)
    case list([InputField])
    case map([String: InputField])
}

/// A value with where it was written.
public struct InputField: Sendable, Hashable {
    public var value: InputValue
    public var location: SourceLocation?
    /// Set when the value came (wholly or in part) from a secret: never printed, journaled off the router, or logged.
    public var isSecret: Bool

    public init(_ value: InputValue, at location: SourceLocation? = nil, isSecret: Bool = false) {
        self.value = value
        self.location = location
        self.isSecret = isSecret
    }
}
