import Foundation
import WrtformEngine

/// What an apply or rollback has done on the router so far, fed by the engine's events, so that an
/// interrupted wrtform can say what the router will do next and when (a pending run is not a success).
final class RunTracker: @unchecked Sendable {
    enum Stage: Equatable {
        case planning
        case writing
        /// Written, the router's watchdog armed: waiting for confirmation until `revertAt` (router time).
        case pending(runID: String, revertAt: Int?)
        case finished
    }

    private let lock = NSLock()
    private var stage = Stage.planning
    /// The last run written, and what became of it ("pending", "done", "restored").
    private var runID: String?
    private var status: String?
    /// Router clock minus ours, from the plan's snapshot: turns "now + timeout" into router time.
    private let clockOffset: Int?
    private let confirmTimeout: Int?
    /// The fleet's notes for this host, taken where the command runs (events may come from elsewhere).
    private let notes = FleetNotes.current

    init(routerTime: Int?, confirmTimeout: Int?) {
        clockOffset = routerTime.map { $0 - Int(Date().timeIntervalSince1970) }
        self.confirmTimeout = confirmTimeout
    }

    var current: Stage { lock.withLock { stage } }

    /// For a failure report: the run written, and its status as far as we know.
    var outcome: (runID: String?, status: String?) { lock.withLock { (runID, status) } }

    func record(_ event: EngineEvent) {
        lock.withLock {
            switch event {
            case .phase(let text) where text.hasPrefix("writing"):
                if stage == .planning { stage = .writing }
            case .wrote(let runID, _):
                // The write armed the watchdog: until the reload says when it ends, estimate it.
                let estimate = confirmTimeout.map { Int(Date().timeIntervalSince1970) + (clockOffset ?? 0) + $0 }
                stage = .pending(runID: runID, revertAt: estimate)
                self.runID = runID
                status = RunStatus.pending.rawValue
            case .reloaded(_, let revertAt?):
                if case .pending(let runID, _) = stage { stage = .pending(runID: runID, revertAt: revertAt) }
            case .confirmed:
                stage = .finished
                status = RunStatus.done.rawValue
            case .restored:
                stage = .finished
                status = RunStatus.restored.rawValue
            default:
                break
            }
        }
        let known = outcome
        notes?.run(known.runID, status: known.status)
    }

    /// The lines an interrupted run prints: what the router does next, and the commands that decide it.
    func interruptedMessage(router: String) -> String {
        switch current {
        case .planning, .finished:
            return "interrupted: nothing more was changed on \(router)"
        case .writing:
            let within = confirmTimeout.map { " within \($0) s" } ?? ""
            return "interrupted during the write to \(router): the router finishes or abandons the write by itself, "
                + "and restores a run it wrote\(within) unless it is confirmed (see `wrtform history`)"
        case .pending(let runID, let revertAt):
            guard confirmTimeout != nil else {
                return "interrupted: run \(runID) is not confirmed and has no watchdog (--no-watchdog): it stays; "
                    + "`wrtform confirm \(runID)` marks it done, `wrtform abort \(runID)` restores the old files now"
            }
            let when = revertAt.map { " at \(EventPrinter.clock($0))" } ?? " when its watchdog ends"
            return "interrupted: run \(runID) is not confirmed: the router restores it\(when); "
                + "`wrtform confirm \(runID)` keeps it, `wrtform abort \(runID)` restores it now"
        }
    }
}

/// Passes events on to the printer, recording them in the tracker first.
struct TrackingEvents: EngineEventConsumer {
    var tracker: RunTracker
    var inner: any EngineEventConsumer

    func handle(_ event: EngineEvent) {
        tracker.record(event)
        inner.handle(event)
    }
}
