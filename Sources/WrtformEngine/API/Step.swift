/// A unit of desired router state with three phases: `check` (the changes still needed, from a
/// snapshot), then each change's `apply` and, later, `rollback` (see Change). Steps never touch the
/// router themselves: they read and change an in-memory `RouterState`, which keeps plans to one read.
public protocol Step: Sendable {
    var id: String { get }
    var kind: StepKind { get }
    /// Where the step was written, for errors.
    var location: SourceLocation? { get }
    /// Files the step reads and may change.
    var files: [String] { get }
    /// What the step creates that other steps may refer to.
    var provides: [Resource] { get }
    /// What the step refers to: it must exist on the router or be provided by another step.
    var requires: [Requirement] { get }
    /// Option keys whose values are secret: masked in plans, diffs and journals kept off the router.
    var secretKeys: Set<String> { get }
    /// Whether the whole content of the files this step writes is secret.
    var writesSecretFile: Bool { get }
    /// The check phase: the changes still needed for the step to hold on `state` (empty: no-op).
    func check(_ state: RouterState) throws -> [Change]
    /// Checks run on the router after the reload, to see the change took effect.
    var postChecks: [PostCheck] { get }
    /// Why a change the user did not write out is planned (a section the step adds for safety), shown
    /// beside it in the plan; nil for the changes the playbook asks for in so many words.
    func reason(for change: Change) -> String?
}

extension Step {
    public var secretKeys: Set<String> { [] }
    public var writesSecretFile: Bool { false }
    public var postChecks: [PostCheck] { [] }
    public var provides: [Resource] { [] }
    public var requires: [Requirement] { [] }
    public func reason(for change: Change) -> String? { nil }
}
