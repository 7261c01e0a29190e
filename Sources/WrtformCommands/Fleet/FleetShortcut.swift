import Foundation
import WrtformPlaybook

/// `wrtform plan PLAYBOOK --inventory FILE` (or `--limit` a group or glob) that selects several hosts
/// runs as `wrtform fleet --inventory FILE [--limit P] plan PLAYBOOK`: the inventory alone means every
/// host. One selected host stays the plain command, as before.
enum FleetShortcut {
    /// The fleet command line these arguments stand for, or nil when they are for one router (or are
    /// not a fleet command, or name the router otherwise, or cannot be read: the command reports that).
    static func rewrite(_ arguments: [String], environment: [String: String]) -> [String]? {
        // Inside a fleet each host's command is already for one host.
        guard FleetNotes.current == nil, let command = arguments.first, FleetRun.commands.contains(command) else {
            return nil
        }
        var rest: [String] = []
        var inventory: String?
        var limit: String?
        var index = 1
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--" {
                rest += arguments[index...]
                break
            }
            if ["--host", "--root", "-h", "--help"].contains(argument) || argument.hasPrefix("--host=")
                || argument.hasPrefix("--root=")
            {
                return nil
            }
            var matched = false
            for (name, store) in [("--inventory", 0), ("--limit", 1)] {
                var value: String?
                if argument == name {
                    guard index + 1 < arguments.count else { return nil }
                    value = arguments[index + 1]
                    index += 1
                } else if argument.hasPrefix(name + "=") {
                    value = String(argument.dropFirst(name.count + 1))
                }
                if let value {
                    if store == 0 { inventory = value } else { limit = value }
                    matched = true
                    break
                }
            }
            if !matched { rest.append(argument) }
            index += 1
        }
        // validate is offline: only an inventory named on its command line.
        let fromEnvironment =
            command == "validate" ? nil : environment["WRTFORM_INVENTORY"].flatMap { $0.isEmpty ? nil : $0 }
        guard let file = inventory ?? fromEnvironment, let loaded = try? Inventory.load(path: file) else { return nil }
        if let limit, loaded.hosts.contains(where: { $0.name == limit }) { return nil }
        guard let selected = try? InventorySelection.select(loaded, limit: limit), selected.count > 1 else {
            return nil
        }
        return ["fleet", "--inventory", file] + (limit.map { ["--limit", $0] } ?? []) + [command] + rest
    }
}
