/// What a `service` step runs: `/etc/init.d/NAME VERB`.
public enum ServiceVerb: String, Sendable, Hashable, Codable, CaseIterable {
    case enable, disable, start, stop

    /// The verb that undoes this one.
    public var inverse: ServiceVerb {
        switch self {
        case .enable: return .disable
        case .disable: return .enable
        case .start: return .stop
        case .stop: return .start
        }
    }
}
