import WrtformEngine

/// A plan for people: steps with what each does, then each file's diff, services, warnings, summary.
/// Everything the router supplied is shown with its control characters visible (`VisibleText`).
struct PlanRenderer {
    var printer: Printer
    /// One line per change, no file diffs.
    var compact = false
    /// Whole diffs even of long new files.
    var full = false

    /// A new file longer than this shows its head, size and hash unless --full.
    static let longFile = 40
    static let head = 20

    /// Secrets scrubbed first (an escape would hide one from the scrubber), then controls made visible.
    private func shown(_ text: String) -> String {
        VisibleText.escaped(printer.scrubber.clean(text))
    }

    func render(_ plan: Plan, target: String) {
        let release = plan.snapshot.facts.release["DISTRIB_DESCRIPTION"].map { " (\($0))" } ?? ""
        printer.line(printer.styled(shown("Target: \(target)\(release)"), .bold))
        // The newest run tells whether the last apply stood: say first if the router undid it.
        if let last = plan.snapshot.runs.last, last.status == .reverted || last.status == .restored {
            printer.warning(
                "the last run, \(last.id), was \(last.status.rawValue): the router put its files back (see `wrtform history`)"
            )
        }
        for notice in plan.notices { printer.warning(notice) }
        printer.line()
        for step in plan.steps {
            let mark: String
            switch step.action {
            case .create: mark = printer.styled("+", .add)
            case .update: mark = printer.styled("~", .change)
            case .delete: mark = printer.styled("-", .remove)
            case .noop: mark = printer.styled("=", .dim)
            }
            printer.line("\(mark) \(shown(step.id)) (\(step.kind.rawValue)): \(step.action.rawValue)")
            for line in step.summary {
                // A rollback's conflicts ("! …", see UndoDescription) stand out from what is done.
                printer.line("    " + (line.hasPrefix("! ") ? printer.styled(shown(line), .remove) : shown(line)))
            }
        }
        for file in plan.files where !compact {
            printer.line()
            var lines = Self.diffLines(file).map(shown)
            var cut = 0
            if !full, !file.old.exists, !file.isSecret, lines.count > Self.longFile {
                cut = lines.count - Self.head
                lines = Array(lines.prefix(Self.head))
            }
            for line in lines {
                if line.hasPrefix("@@") {
                    printer.line(printer.styled(line, .hunk))
                } else if line.hasPrefix("+++") || line.hasPrefix("---") {
                    printer.line(printer.styled(line, .bold))
                } else if line.hasPrefix("+") {
                    printer.line(printer.styled(line, .add))
                } else if line.hasPrefix("-") {
                    printer.line(printer.styled(line, .remove))
                } else {
                    printer.line(line)
                }
            }
            if cut > 0 {
                let size = file.new.content?.count ?? 0
                printer.line(
                    printer.styled(
                        "… \(cut) more lines: a new file of \(size) bytes, sha256 \(file.new.hash.prefix(16))… (--full shows it all)",
                        .dim))
            }
            if file.new.exists && file.old.exists
                && (file.old.mode != file.new.mode || file.old.owner != file.new.owner)
            {
                printer.line(
                    shown(
                        "mode \(file.old.mode) → \(file.new.mode), owner \(file.old.owner) → \(file.new.owner): \(file.path)"
                    ))
            }
        }
        printer.line()
        if compact && !plan.files.isEmpty { printer.line("Files: " + plan.files.map(\.path).joined(separator: ", ")) }
        if !plan.services.isEmpty { printer.line("Services to reload: \(plan.services.joined(separator: ", "))") }
        for warning in plan.warnings { printer.warning(warning) }
        printer.line(printer.styled(plan.summaryLine, .bold))
    }

    /// The diff's lines; a secret file's only as "hidden", not even its size.
    /// Lines split on LF bytes: a CRLF line's "\r\n" is one Character that a split on "\n" misses.
    static func diffLines(_ file: Plan.FileChange) -> [String] {
        let diff = file.isSecret ? "--- \(file.path)\n+++ \(file.path)\n(secret content hidden)\n" : file.diff
        var lines = diff.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if diff.utf8.last == UInt8(ascii: "\n") { lines.removeLast() }
        return lines.map { String(decoding: $0, as: UTF8.self) }
    }
}
