import WrtformEngine

/// A plan for people: steps with what each does, then each file's diff, services, warnings, summary.
struct PlanRenderer {
    var printer: Printer
    /// One line per change, no file diffs.
    var compact = false
    /// Whole diffs even of long new files.
    var full = false

    /// A new file longer than this shows its head, size and hash unless --full.
    static let longFile = 40
    static let head = 20

    func render(_ plan: Plan, target: String) {
        let release = plan.snapshot.facts.release["DISTRIB_DESCRIPTION"].map { " (\($0))" } ?? ""
        printer.line(printer.styled("Target: \(target)\(release)", .bold))
        // The newest run tells whether the last apply stood: say first if the router undid it.
        if let last = plan.snapshot.runs.last, last.status == .reverted || last.status == .restored {
            printer.warning("the last run, \(last.id), was \(last.status.rawValue): the router put its files back (see `wrtform history`)")
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
            printer.line("\(mark) \(step.id) (\(step.kind.rawValue)): \(step.action.rawValue)")
            for line in step.summary { printer.line("    " + line) }
        }
        for file in plan.files where !compact {
            printer.line()
            var lines = Self.diffLines(file)
            var cut = 0
            if !full, !file.old.exists, !file.isSecret, lines.count > Self.longFile {
                cut = lines.count - Self.head
                lines = Array(lines.prefix(Self.head))
            }
            for line in lines {
                if line.hasPrefix("@@") {
                    printer.line(printer.styled(String(line), .hunk))
                } else if line.hasPrefix("+++") || line.hasPrefix("---") {
                    printer.line(printer.styled(String(line), .bold))
                } else if line.hasPrefix("+") {
                    printer.line(printer.styled(String(line), .add))
                } else if line.hasPrefix("-") {
                    printer.line(printer.styled(String(line), .remove))
                } else {
                    printer.line(String(line))
                }
            }
            if cut > 0 {
                let size = file.new.content?.count ?? 0
                printer.line(printer.styled(
                    "… \(cut) more lines: a new file of \(size) bytes, sha256 \(file.new.hash.prefix(16))… (--full shows it all)", .dim))
            }
            if file.new.exists && file.old.exists && (file.old.mode != file.new.mode || file.old.owner != file.new.owner) {
                printer.line("mode \(file.old.mode) → \(file.new.mode), owner \(file.old.owner) → \(file.new.owner): \(file.path)")
            }
        }
        printer.line()
        if compact && plan.hasChanges { printer.line("Files: " + plan.files.map(\.path).joined(separator: ", ")) }
        if !plan.services.isEmpty { printer.line("Services to reload: \(plan.services.joined(separator: ", "))") }
        for warning in plan.warnings { printer.warning(warning) }
        printer.line(printer.styled(plan.summaryLine, .bold))
    }

    /// The diff's lines; a secret file's only as "hidden", not even its size.
    static func diffLines(_ file: Plan.FileChange) -> [Substring] {
        let diff = file.isSecret ? "--- \(file.path)\n+++ \(file.path)\n(secret content hidden)\n" : file.diff
        return Array(diff.split(separator: "\n", omittingEmptySubsequences: false).dropLast(diff.hasSuffix("\n") ? 1 : 0))
    }
}
