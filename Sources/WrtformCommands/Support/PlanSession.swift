import Foundation
import WrtformEngine

/// The start every plan-shaped command shares: load the playbook, reach the router, read it once, plan.
struct PlanSession {
    var loaded: LoadedPlaybook
    var router: any RouterTarget
    var plan: Plan
    var printer: Printer

    /// Plans, runs `body`, and always closes the connection.
    static func run<T>(
        playbook: PlaybookOptions, target: TargetOptions, force: Bool, console: Console,
        _ body: (PlanSession) async throws -> T
    ) async throws -> T {
        let loaded = try LoadedPlaybook(playbook, resolveSecrets: true, console: console)
        let printer = Printer(console: console, secrets: loaded.playbook.secretValues)
        let router = try await TargetConnector.connect(target, console: console)
        do {
            let snapshot = try await router.snapshot(paths: Planner.paths(for: loaded.graph), run: nil)
            let plan = try Planner(force: force).plan(loaded.graph, on: snapshot)
            let result = try await body(PlanSession(loaded: loaded, router: router, plan: plan, printer: printer))
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
        let snapshot = try await router.snapshot(paths: Planner.paths(for: loaded.graph), run: nil)
        return try Planner(force: force).plan(loaded.graph, on: snapshot)
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
