/// What the engine reports while it works; the CLI renders these (a terminal shows progress, JSON
/// collects them), tests record them. The engine itself never prints.
public enum EngineEvent: Sendable {
    case phase(String)
    case wrote(runID: String, files: [String])
    /// One step's changes are in place (all steps are written in the one write round trip; these
    /// follow it, in the plan's order).
    case stepWritten(id: String, kind: String, changes: Int)
    case reloaded(services: [String], revertAt: Int?)
    case check(CheckResult)
    case confirmed(runID: String)
    case restored(runID: String, reason: String)
    case warning(String)
    case savedLocalJournal(path: String)
}
