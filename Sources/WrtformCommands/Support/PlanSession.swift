import Foundation
import WrtformEngine

/// The start every plan-shaped command shares: load the playbook, reach the router, read it once, plan.
struct PlanSession {
    var loaded: LoadedPlaybook
    var router: any RouterTarget
    var plan: Plan
    var printer: Printer
    /// Whether the plan removes what the playbook owned but no longer names (`--no-prune`: no).
    var prune = true

    /// Plans, runs `body`, and always closes the connection.
    static func run<T>(
        playbook: PlaybookOptions, target: TargetOptions, force: Bool, console: Console, prune: Bool = true,
        _ body: (PlanSession) async throws -> T
    ) async throws -> T {
        let loaded = try LoadedPlaybook(playbook, resolveSecrets: true, console: console)
        let printer = Printer(console: console, secrets: loaded.playbook.secretValues)
        let router = try await TargetConnector.connect(target, console: console)
        do {
            let planner = Planner(force: force, ownership: scope(loaded, prune: prune))
            let plan = try planner.plan(loaded.graph, on: try await planner.snapshot(of: loaded.graph, from: router))
            let session = PlanSession(loaded: loaded, router: router, plan: plan, printer: printer, prune: prune)
            let result = try await body(session)
            await TargetConnector.close(router)
            return result
        } catch {
            await TargetConnector.close(router)
            // Errors may quote values: scrub them before they are printed.
            if let engine = error as? EngineError {
                var clean = engine
                clean.message = printer.scrubber.clean(engine.message)
                throw clean
            }
            throw error
        }
    }

    func replan(force: Bool) async throws -> Plan {
        let planner = Planner(force: force, ownership: Self.scope(loaded, prune: prune))
        return try planner.plan(loaded.graph, on: try await planner.snapshot(of: loaded.graph, from: router))
    }

    static func scope(_ loaded: LoadedPlaybook, prune: Bool) -> OwnershipScope {
        OwnershipScope(playbook: loaded.playbook.name, mode: .playbook(prune: prune))
    }
}

enum LocalState {
    /// ~/.local/state/wrtform (or $XDG_STATE_HOME/wrtform): masked journal copies.
    static func directory(_ environment: [String: String]) -> String {
        if let state = environment["XDG_STATE_HOME"], !state.isEmpty { return state + "/wrtform" }
        return (environment["HOME"] ?? NSHomeDirectory()) + "/.local/state/wrtform"
    }

    static func owner(_ environment: [String: String]) -> String {
        let user = environment["USER"] ?? environment["LOGNAME"] ?? "unknown"
        return "\(user)@\(ProcessInfo.processInfo.hostName)"
    }
}
