/// One post-reload check or health probe, as the router answered it.
public struct CheckResult: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable {
        case ok = "OK"
        case fail = "FAIL"
        case skip = "SKIP"
    }
    public var description: String
    public var status: Status

    public init(description: String, status: Status) {
        self.description = description
        self.status = status
    }
}
