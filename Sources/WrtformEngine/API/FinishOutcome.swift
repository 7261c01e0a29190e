/// What verify-and-confirm found, and whether the run now stands.
public struct FinishOutcome: Sendable, Equatable {
    public var results: [CheckResult]
    public var confirmed: Bool

    public init(results: [CheckResult], confirmed: Bool) {
        self.results = results
        self.confirmed = confirmed
    }
}
