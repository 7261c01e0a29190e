/// Reading the router for a plan with ownership.
extension Planner {
    /// The snapshot a plan of `graph` needs: one round trip, as always — plus a second only when
    /// the playbook owned files its steps no longer name (a removed file step), whose bytes the
    /// first read could not know to fetch.
    public func snapshot(of graph: StepGraph, from target: any RouterTarget) async throws -> Snapshot {
        let paths = Self.paths(for: graph)
        let probes = CommandRound.probes(for: graph)
        let first = try await target.snapshot(paths: paths, run: nil, probes: probes)
        guard let ownership else { return first }
        let record = try OwnershipRecord.read(first.files[OwnershipRecord.path] ?? .absent)
        let owned = Set(record.playbooks[ownership.playbook]?.steps.map(\.file) ?? [])
        let missing = owned.subtracting(paths).filter { !$0.isEmpty }
        guard !missing.isEmpty else { return first }
        return try await target.snapshot(paths: (paths + missing).sorted(), run: nil, probes: probes)
    }
}
