/// The reload round trip: which services, and the watchdog's timeout.
public struct ReloadRequest: Sendable {
    public var runID: String
    public var services: [String]
    /// Seconds until the router restores the run by itself unless confirmed; nil: no watchdog.
    public var confirmTimeout: Int?

    public init(runID: String, services: [String], confirmTimeout: Int?) {
        self.runID = runID
        self.services = services
        self.confirmTimeout = confirmTimeout
    }
}
