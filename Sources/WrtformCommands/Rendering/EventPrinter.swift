import Foundation
import WrtformEngine

/// Renders engine events as progress lines: on a terminal styled, one mark per step; otherwise
/// plain lines that a log or a script can read. Silent in --json mode, where the final document
/// says it all.
struct EventPrinter: EngineEventConsumer {
    var printer: Printer
    var quiet: Bool

    func handle(_ event: EngineEvent) {
        guard !quiet else { return }
        switch event {
        case .phase(let text): printer.line("… \(text)")
        case .wrote(let runID, let files): printer.line("wrote \(files.count) file(s) (run \(runID))")
        case .stepWritten(let id, let kind, let changes):
            let count = changes == 1 ? "1 change" : "\(changes) changes"
            if printer.console.isInteractive {
                printer.line("  \(printer.styled("✓", .add)) \(printer.styled(id, .bold)) (\(kind)): \(count)")
            } else {
                printer.line("step \(id) (\(kind)): \(count) written")
            }
        case .reloaded(let services, let revertAt):
            if !services.isEmpty { printer.line("reloaded \(services.joined(separator: ", "))") }
            if let revertAt {
                printer.line("the router restores the old files by itself at \(Self.clock(revertAt)) unless confirmed")
            }
        case .check(let result):
            let status: String
            switch result.status {
            case .ok: status = printer.styled("OK  ", .add)
            case .fail: status = printer.styled("FAIL", .remove)
            case .skip: status = printer.styled("SKIP", .dim)
            }
            printer.line("\(status) \(VisibleText.escaped(printer.scrubber.clean(result.description)))")
        case .confirmed(let runID): printer.line("confirmed run \(runID)")
        case .restored(let runID, let reason):
            // The reason quotes the router's complaint: its control characters are shown, not obeyed.
            printer.line("restored run \(runID): \(VisibleText.escaped(printer.scrubber.clean(reason)))")
        case .warning(let text): printer.warning(text)
        case .savedLocalJournal(let path): printer.line("journal copy (secrets masked): \(path)")
        }
    }

    static func clock(_ epoch: Int) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm:ss"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(epoch))) + " UTC (router time)"
    }
}
