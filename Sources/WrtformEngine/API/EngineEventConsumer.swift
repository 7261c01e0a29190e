/// Receives engine events (as swift-format's findings go to a consumer the CLI provides).
public protocol EngineEventConsumer: Sendable {
    func handle(_ event: EngineEvent)
}

/// Drops every event.
public struct IgnoreEvents: EngineEventConsumer {
    public init() {}
    public func handle(_ event: EngineEvent) {}
}
