/// Plans and rollbacks alike stop when someone else is mid-change on the router (uci staging,
/// a LuCI session's, a LuCI apply waiting for confirmation): writing over it would lose their work
/// or have it land on top of ours.
extension Snapshot {
    func refuseIfSomeoneIsMidChange(force: Bool, overriding: String) throws {
        guard !stagedChanges.isEmpty && !force else { return }
        throw EngineError(
            .pendingChanges, "someone else is mid-change on the router: \(stagedChanges.joined(separator: "; "))",
            hint: "save/apply or revert them in LuCI (or `uci revert`), or pass --force to \(overriding)")
    }
}
