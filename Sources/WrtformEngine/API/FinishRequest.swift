/// The verify-and-confirm round trip: the checks to poll, and whether to confirm.
public struct FinishRequest: Sendable {
    public var runID: String
    public var checks: [PostCheck]
    /// Seconds to keep polling checks that fail.
    public var pollTimeout: Int
    /// Confirm only when every check passes.
    public var confirm: Bool
    /// For a rollback run: the run it undoes, marked rolled-back on confirmation.
    public var rolledBackRun: String?

    public init(runID: String, checks: [PostCheck], pollTimeout: Int, confirm: Bool = true) {
        self.runID = runID
        self.checks = checks
        self.pollTimeout = pollTimeout
        self.confirm = confirm
    }
}
