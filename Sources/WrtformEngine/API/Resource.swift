/// Something on the router that steps refer to by name: the links that make the step graph.
public enum Resource: Sendable, Hashable, CustomStringConvertible {
    case interface(String)
    case zone(String)
    case routingTable(String)

    public var description: String {
        switch self {
        case .interface(let name): return "interface '\(name)'"
        case .zone(let name): return "zone '\(name)'"
        case .routingTable(let name): return "routing table '\(name)'"
        }
    }
}
