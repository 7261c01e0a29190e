/// An error the engine reports: what is wrong, where, and what to do — one line.
/// A struct with an open set of kinds (as swift-nio-ssh does), so new cases never break callers.
public struct EngineError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        public let description: String
        public static let invalidInput = Kind(description: "invalid input")
        public static let unknownReference = Kind(description: "unknown reference")
        public static let conflict = Kind(description: "conflict")
        public static let cycle = Kind(description: "cycle")
        public static let router = Kind(description: "router")
        public static let locked = Kind(description: "locked")
        public static let pendingChanges = Kind(description: "pending changes")
        public static let changedSincePlan = Kind(description: "changed since plan")
        public static let applyFailed = Kind(description: "apply failed")
        public static let unsupported = Kind(description: "unsupported")
        public static let notFound = Kind(description: "not found")
    }

    public var kind: Kind
    public var message: String
    public var location: SourceLocation?
    public var hint: String?

    public init(_ kind: Kind, _ message: String, at location: SourceLocation? = nil, hint: String? = nil) {
        self.kind = kind
        self.message = message
        self.location = location
        self.hint = hint
    }

    public var description: String {
        var line = ""
        if let location { line += "\(location): " }
        line += message
        if let hint { line += " (\(hint))" }
        return line
    }
}
