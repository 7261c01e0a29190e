import Foundation

/// One call of a stubbed service on the virtual router, as the stub recorded it.
public struct ServiceCall: Sendable, Equatable, CustomStringConvertible {
    /// "network", "firewall" or "reload_config".
    public var service: String
    /// The arguments it was given, e.g. ["reload"].
    public var arguments: [String]
    /// When it was called (whole seconds: busybox `date` has no sub-second format).
    public var time: Date

    public init(service: String, arguments: [String], time: Date) {
        self.service = service
        self.arguments = arguments
        self.time = time
    }

    public var description: String {
        ([service] + arguments).joined(separator: " ")
    }
}
