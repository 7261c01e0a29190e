/// How an apply ended.
public struct ApplyResult: Sendable {
    /// nil when there was nothing to do.
    public var runID: String?
    public var status: RunStatus
    public var checks: [CheckResult]
    public var filesWritten: [String]
    public var servicesReloaded: [String]

    public init(
        runID: String?, status: RunStatus, checks: [CheckResult] = [], filesWritten: [String] = [],
        servicesReloaded: [String] = []
    ) {
        self.runID = runID
        self.status = status
        self.checks = checks
        self.filesWritten = filesWritten
        self.servicesReloaded = servicesReloaded
    }
}
