/// One line of doctor's report: OK / FAIL / SKIP, what was seen, and what to do.
public struct DoctorFinding: Sendable, Equatable, Codable {
    public var check: String
    public var status: CheckResult.Status
    public var detail: String
    public var hint: String?

    public init(_ check: String, _ status: CheckResult.Status, _ detail: String, hint: String? = nil) {
        self.check = check
        self.status = status
        self.detail = detail
        self.hint = hint
    }
}
