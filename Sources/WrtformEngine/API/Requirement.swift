/// A reference from a step's field to a resource, with where it was written.
public struct Requirement: Sendable, Hashable {
    public var resource: Resource
    public var location: SourceLocation?

    public init(_ resource: Resource, at location: SourceLocation?) {
        self.resource = resource
        self.location = location
    }
}
