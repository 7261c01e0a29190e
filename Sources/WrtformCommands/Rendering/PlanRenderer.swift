import WrtformEngine

/// A plan for people: steps with what each does, then each file's diff, services, warnings, summary.
struct PlanRenderer {
    var printer: Printer

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
        for file in plan.files {
            printer.line()
            for line in file.diff.split(separator: "\n", omittingEmptySubsequences: false).dropLast(file.diff.hasSuffix("\n") ? 1 : 0) {
                if line.hasPrefix("+++") || line.hasPrefix("---") {
                    printer.line(printer.styled(String(line), .bold))
                } else if line.hasPrefix("+") {
                    printer.line(printer.styled(String(line), .add))
                } else if line.hasPrefix("-") {
                    printer.line(printer.styled(String(line), .remove))
                } else {
                    printer.line(String(line))
                }
            }
            if file.old.exists && (file.old.mode != file.new.mode || file.old.owner != file.new.owner) {
                printer.line("mode \(file.old.mode) → \(file.new.mode), owner \(file.old.owner) → \(file.new.owner): \(file.path)")
            }
        }
        printer.line()
        if !plan.services.isEmpty { printer.line("Services to reload: \(plan.services.joined(separator: ", "))") }
        for warning in plan.warnings { printer.warning(warning) }
        printer.line(printer.styled(plan.summaryLine, .bold))
    }
}
