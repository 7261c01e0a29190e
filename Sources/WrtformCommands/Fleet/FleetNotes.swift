import Foundation
import WrtformEngine

/// What one host's command tells the fleet summary, beside its printed output: the plan's counts, the
/// run it wrote, and why it failed. Set as a task-local by the fleet around each host's command; nil
/// (and every note a no-op) when a command runs on its own.
final class FleetNotes: @unchecked Sendable {
    @TaskLocal static var current: FleetNotes?

    struct Outcome: Sendable {
        var counts: (add: Int, change: Int, remove: Int)?
        /// Whether the plan differs from the router (only an ownership record to write is not a change).
        var pending = false
        var runID: String?
        var runStatus: String?
        /// One line: the error's location and message, without its hint.
        var failure: String?
    }

    private let lock = NSLock()
    private var outcome = Outcome()

    var snapshot: Outcome { lock.withLock { outcome } }

    func planned(_ plan: Plan) {
        lock.withLock {
            outcome.counts = plan.counts
            outcome.pending = plan.hasPendingChanges
        }
    }

    func run(_ runID: String?, status: String?) {
        lock.withLock {
            if let runID { outcome.runID = runID }
            if let status { outcome.runStatus = status }
        }
    }

    func failed(_ error: Error) {
        let line: String
        if let engine = error as? EngineError {
            line = (engine.location.map { "\($0): " } ?? "") + engine.message
        } else {
            line = "\(error)"
        }
        lock.withLock { outcome.failure = line.split(separator: "\n").first.map(String.init) ?? line }
    }
}
