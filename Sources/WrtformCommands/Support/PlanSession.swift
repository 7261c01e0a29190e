import Foundation
import WrtformEngine
import WrtformPlaybook

/// The start every plan-shaped command shares: load the playbook, reach the router, read it once, plan.
struct PlanSession {
    var loaded: LoadedPlaybook
    var router: any RouterTarget
    var plan: Plan
    var printer: Printer
    /// Whether the plan removes what the playbook owned but no longer names (`--no-prune`: no).
    var prune = true

    /// Plans, runs `body`, and always closes the connection. A run still waiting for confirmation
    /// stops it before any diff: planned over, its changes would look done until its watchdog
    /// reverted them.
    static func run<T>(
        playbook: PlaybookOptions, target: TargetOptions, output: OutputOptions, force: Bool, console: Console,
        prune: Bool = true, checks: SavedPlanChecks? = nil,
        _ body: (PlanSession) async throws -> T
    ) async throws -> T {
        let loaded = try LoadedPlaybook(
            playbook, resolveSecrets: true, console: console,
            inventory: try InventoryTarget.values(file: target.inventoryFile, limit: target.limit))
        let printer = Printer(console: console, secrets: loaded.playbook.secretValues)
        try checks?.loaded(loaded)
        let connected = try await TargetConnector.connect(target, console: console)
        let router = VerboseRouter.wrap(connected, output, console: console)
        do {
            let planner = Planner(force: force, ownership: scope(loaded, prune: prune))
            let snapshot = try await planner.snapshot(of: loaded.graph, from: router)
            try refusePendingRun(snapshot, router: router)
            try checks?.read(router, snapshot)
            let plan = try planner.plan(loaded.graph, on: snapshot)
            FleetNotes.current?.planned(plan)
            let session = PlanSession(loaded: loaded, router: router, plan: plan, printer: printer, prune: prune)
            let result = try await body(session)
            await TargetConnector.close(connected)
            return result
        } catch let exit as ExitWith {
            await TargetConnector.close(connected)
            throw exit
        } catch {
            await TargetConnector.close(connected)
            // Errors may quote values: scrub them before they are printed.
            var failure = CommandFailure(error, target: router.name)
            if var engine = failure.underlying as? EngineError {
                engine.message = printer.scrubber.clean(engine.message)
                failure.underlying = engine
            }
            throw failure
        }
    }

    /// What `apply --plan` checks before planning: the playbook once loaded, the router once read.
    struct SavedPlanChecks {
        var loaded: (LoadedPlaybook) throws -> Void
        var read: (any RouterTarget, Snapshot) throws -> Void
    }

    static func refusePendingRun(_ snapshot: Snapshot, router: any RouterTarget) throws {
        let waiting = snapshot.runs.last { run in
            run.status == .pending || (run.status == .writing && snapshot.lock?.runID == run.id)
        }
        guard let run = waiting else { return }
        let state = run.status == .pending ? "is waiting for confirmation" : "was cut off while writing"
        throw CommandFailure(
            EngineError(
                .locked,
                "run \(run.id) (\(run.playbook)) on \(router.name) \(state): the router restores it by itself "
                    + "unless it is confirmed; nothing was planned",
                hint: "`wrtform confirm \(run.id)` keeps it, `wrtform abort \(run.id)` restores it now"),
            target: router.name, runID: run.id, status: run.status.rawValue)
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

    /// Who holds the lock: $USER or $LOGNAME, else the account of our uid (cron, systemd units).
    static func owner(_ environment: [String: String]) -> String {
        let user = environment["USER"] ?? environment["LOGNAME"] ?? accountName() ?? "uid \(getuid())"
        // The lock file holds one field a line: a control character (a newline in $USER) would
        // shift them, and the lock would never be seen as ours again. Checked by scalar.
        let plain = String(
            String.UnicodeScalarView(
                "\(user)@\(ProcessInfo.processInfo.hostName)".unicodeScalars.map {
                    $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0 == "\u{2028}" || $0 == "\u{2029}"
                        ? "?" : $0
                }))
        return plain
    }

    static func accountName() -> String? {
        guard let entry = getpwuid(getuid()), let name = entry.pointee.pw_name else { return nil }
        return String(cString: name)
    }
}
