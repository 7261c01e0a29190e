import Foundation

/// The steps and their order: explicit `needs` plus the links implied by references (a zone covering
/// wanppp runs after the step that creates wanppp). Runs in a deterministic topological order:
/// among steps that are ready, the one written first.
public struct StepGraph: Sendable {
    public struct Node: Sendable {
        public var step: any Step
        /// Explicit dependencies, by step id, with where each was written.
        public var needs: [(id: String, location: SourceLocation?)]

        public init(step: any Step, needs: [(id: String, location: SourceLocation?)] = []) {
            self.step = step
            self.needs = needs
        }
    }

    public struct Edge: Sendable, Hashable {
        public var from: String
        public var to: String
        public var implied: Bool

        public init(from: String, to: String, implied: Bool) {
            self.from = from
            self.to = to
            self.implied = implied
        }
    }

    public let nodes: [Node]
    /// Steps in the order they run.
    public let ordered: [any Step]
    public let edges: [Edge]

    public init(_ nodes: [Node]) throws {
        self.nodes = nodes
        var index: [String: Int] = [:]
        for (position, node) in nodes.enumerated() {
            if let first = index[node.step.id] {
                let firstLocation = nodes[first].step.location.map { " (first at line \($0.line))" } ?? ""
                throw EngineError(
                    .invalidInput, "duplicate step id '\(node.step.id)'\(firstLocation)", at: node.step.location)
            }
            index[node.step.id] = position
        }
        var providers: [Resource: String] = [:]
        for node in nodes {
            for resource in node.step.provides where providers[resource] == nil { providers[resource] = node.step.id }
        }

        var edges: [Edge] = []
        for node in nodes {
            for need in node.needs {
                guard index[need.id] != nil else {
                    throw EngineError(
                        .unknownReference, "step '\(node.step.id)' needs unknown step '\(need.id)'",
                        at: need.location ?? node.step.location,
                        hint: Suggestion.hint(for: need.id, in: nodes.map(\.step.id)))
                }
                edges.append(Edge(from: need.id, to: node.step.id, implied: false))
            }
            for requirement in node.step.requires {
                if let provider = providers[requirement.resource], provider != node.step.id,
                    !edges.contains(where: { $0.from == provider && $0.to == node.step.id })
                {
                    edges.append(Edge(from: provider, to: node.step.id, implied: true))
                }
            }
        }
        self.edges = edges

        // Kahn's algorithm, picking the earliest-written ready step each time.
        var incoming = [Int](repeating: 0, count: nodes.count)
        var outgoing = [[Int]](repeating: [], count: nodes.count)
        for edge in edges {
            guard let from = index[edge.from], let to = index[edge.to] else { continue }
            outgoing[from].append(to)
            incoming[to] += 1
        }
        var ready = (0..<nodes.count).filter { incoming[$0] == 0 }
        var order: [Int] = []
        while let next = ready.min() {
            ready.removeAll { $0 == next }
            order.append(next)
            for target in outgoing[next] {
                incoming[target] -= 1
                if incoming[target] == 0 { ready.append(target) }
            }
        }
        if order.count < nodes.count {
            let cycle = Self.findCycle(
                remaining: Set((0..<nodes.count).filter { incoming[$0] > 0 }), outgoing: outgoing)
            let names = cycle.map { nodes[$0].step.id }
            throw EngineError(
                .cycle, "the steps depend on each other in a cycle: \(names.joined(separator: " → "))",
                at: cycle.first.flatMap { nodes[$0].step.location }, hint: "remove one of these needs")
        }
        ordered = order.map { nodes[$0].step }
    }

    private static func findCycle(remaining: Set<Int>, outgoing: [[Int]]) -> [Int] {
        guard let start = remaining.min() else { return [] }
        var path: [Int] = [start]
        var current = start
        while true {
            guard let next = outgoing[current].filter({ remaining.contains($0) }).min() else { return path }
            if let loopStart = path.firstIndex(of: next) { return Array(path[loopStart...]) + [next] }
            path.append(next)
            current = next
        }
    }

    /// The graph in Graphviz DOT; implied links are dashed.
    public var dot: String {
        var lines = ["digraph wrtform {", "  rankdir=LR;", "  node [shape=box];"]
        for step in ordered {
            lines.append("  \"\(escape(step.id))\" [label=\"\(escape(step.id))\\n\(step.kind.rawValue)\"];")
        }
        for edge in edges {
            lines.append(
                "  \"\(escape(edge.from))\" -> \"\(escape(edge.to))\"\(edge.implied ? " [style=dashed]" : "");")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }
}
