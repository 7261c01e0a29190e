/// One line of doctor's report: OK / FAIL / SKIP, what was seen, and what to do.
public struct DoctorFinding: Sendable, Equatable, Codable {
    /// A stable key for the check ("pppoe-up", "dns:home.example.net", "redirect-loaded:443"), for
    /// scripts and JSON output; `check` is the sentence people read.
    public var id: String
    public var check: String
    public var status: CheckResult.Status
    public var detail: String
    public var hint: String?

    public init(id: String, _ check: String, _ status: CheckResult.Status, _ detail: String, hint: String? = nil) {
        self.id = id
        self.check = check
        self.status = status
        self.detail = detail
        self.hint = hint
    }
}
