import WrtformEngine

/// A plan for people: steps with what each does, then each file's diff, services, warnings, summary.
/// Everything the router supplied is shown with its control characters visible (`VisibleText`).
struct PlanRenderer {
    var printer: Printer

    /// Secrets scrubbed first (an escape would hide one from the scrubber), then controls made visible.
    private func shown(_ text: String) -> String {
        VisibleText.escaped(printer.scrubber.clean(text))
    }

    func render(_ plan: Plan, target: String) {
        let release = plan.snapshot.facts.release["DISTRIB_DESCRIPTION"].map { " (\($0))" } ?? ""
        printer.line(printer.styled(shown("Target: \(target)\(release)"), .bold))
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
            printer.line("\(mark) \(shown(step.id)) (\(step.kind.rawValue)): \(step.action.rawValue)")
            for line in step.summary { printer.line("    " + shown(line)) }
        }
        for file in plan.files {
            printer.line()
            // Lines split on LF bytes: a CRLF line's "\r\n" is one Character a split on "\n" misses.
            var lines = file.diff.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            if file.diff.utf8.last == UInt8(ascii: "\n") { lines.removeLast() }
            for bytes in lines {
                let line = shown(String(decoding: bytes, as: UTF8.self))
                if line.hasPrefix("+++") || line.hasPrefix("---") {
                    printer.line(printer.styled(line, .bold))
                } else if line.hasPrefix("+") {
                    printer.line(printer.styled(line, .add))
                } else if line.hasPrefix("-") {
                    printer.line(printer.styled(line, .remove))
                } else {
                    printer.line(line)
                }
            }
            if file.old.exists && (file.old.mode != file.new.mode || file.old.owner != file.new.owner) {
                printer.line(shown("mode \(file.old.mode) → \(file.new.mode), owner \(file.old.owner) → \(file.new.owner): \(file.path)"))
            }
        }
        printer.line()
        if !plan.services.isEmpty { printer.line("Services to reload: \(plan.services.joined(separator: ", "))") }
        for warning in plan.warnings { printer.warning(warning) }
        printer.line(printer.styled(plan.summaryLine, .bold))
    }
}
