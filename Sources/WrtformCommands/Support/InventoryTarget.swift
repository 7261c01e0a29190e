import Foundation
import WrtformEngine
import WrtformPlaybook

/// The one inventory host a single-router command works on: `--limit` names it, or a group or glob
/// that selects only it, or the inventory has only that host. Several hosts are `wrtform fleet`'s
/// work (plan, apply and the other fleet commands get there before this; see FleetShortcut).
enum InventoryTarget {
    static func host(file: String, limit: String?) throws -> (Inventory, Inventory.Host) {
        let inventory = try Inventory.load(path: file)
        if let limit, let exact = inventory.hosts.first(where: { $0.name == limit }) {
            return (inventory, exact)
        }
        let selected = try InventorySelection.select(inventory, limit: limit)
        guard selected.count == 1, let only = selected.first else {
            let names = selected.prefix(5).map(\.name).joined(separator: ", ") + (selected.count > 5 ? ", …" : "")
            throw EngineError(
                .invalidInput,
                "\(limit.map { "--limit '\($0)' selects" } ?? "the inventory \(file) has") \(selected.count) hosts "
                    + "(\(names)); this command works on one router",
                hint: "pick one with --limit NAME; `wrtform fleet` runs "
                    + FleetRun.commands.joined(separator: ", ") + " on several")
        }
        return (inventory, only)
    }

    /// The selected host's name in the inventory (what a saved plan's entry is named by), or nil
    /// without an inventory.
    static func hostName(file: String?, limit: String?) throws -> String? {
        guard let file else { return nil }
        return try host(file: file, limit: limit).1.name
    }

    /// The vars and secret sources the inventory gives the selected host (none without an inventory).
    static func values(file: String?, limit: String?) throws
        -> (vars: [InventoryVariable], secrets: [InventorySecret])
    {
        guard let file else { return ([], []) }
        let (inventory, host) = try Self.host(file: file, limit: limit)
        return (inventory.variables(for: host), inventory.secrets(for: host))
    }
}
