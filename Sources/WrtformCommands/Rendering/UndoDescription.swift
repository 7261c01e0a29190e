import WrtformEngine
import WrtformUCI

/// How a rollback plan reads: each journaled change as what undoing it does to the router now
/// (`~ … metric '1' → unset`), not as the change it undoes.
enum UndoDescription {
    static func steps(of plan: Plan) -> Plan {
        var plan = plan
        for index in plan.steps.indices where !plan.steps[index].changes.isEmpty {
            let changes = plan.steps[index].changes
            plan.steps[index].summary = changes.map {
                line(for: $0, secretKeys: plan.secretKeys, secretFiles: plan.secretFiles)
            }
            plan.steps[index].action = changes.map(action(undoing:)).max() ?? .noop
        }
        return plan
    }

    /// The plan as `rollback --dry-run` shows it: each conflict marked `!` under its step, next to
    /// what is undone there.
    static func steps(of preview: RollbackPreview, runID: String) -> Plan {
        var plan = steps(of: preview.plan)
        for conflict in preview.conflicts {
            guard let index = plan.steps.firstIndex(where: { $0.id == conflict.step }) else { continue }
            plan.steps[index].summary.append(Self.conflict(conflict, runID: runID))
        }
        return plan
    }

    /// `! /etc/config/firewall: redirect 'web' dest_port was changed after run R (now '8443'); rollback keeps it — use --force to overwrite`
    static func conflict(_ conflict: RollbackConflict, runID: String) -> String {
        let now = conflict.found.map(shown) ?? "unset"
        let place = [conflict.section, conflict.option].compactMap { $0 }.joined(separator: " ")
        switch conflict.reason {
        case .optionChanged:
            return "! \(conflict.file): \(place) was changed after run \(runID) (now \(now)); "
                + "rollback keeps it — use --force to overwrite"
        case .addedSectionChanged:
            return "! \(conflict.file): \(place) was changed after run \(runID) (now \(now)); "
                + "rollback keeps the section — use --force to remove it"
        case .sectionRemoved:
            return "! \(conflict.file): \(place) was removed after run \(runID); "
                + "rollback cannot restore its options — use --force to skip them"
        case .fileChanged:
            return "! \(conflict.file) was \(conflict.found == nil ? "removed" : "changed") after run \(runID); "
                + "rollback keeps it — use --force to put back what was there before"
        }
    }

    private static func shown(_ value: UCIValue) -> String {
        switch value {
        case .single(let text): return "'\(text)'"
        case .list(let items): return "[" + items.map { "'\($0)'" }.joined(separator: ", ") + "]"
        }
    }

    static func action(undoing change: Change) -> StepAction {
        switch change {
        case .addSection, .addLine: return .delete
        case .setOptions: return .update
        case .removeSection: return .create
        case .writeFile(_, let old, _): return old.exists ? .update : .delete
        case .package(_, let install): return install ? .delete : .create
        case .service: return .update
        }
    }

    static func line(for change: Change, secretKeys: Set<String>, secretFiles: Set<String>) -> String {
        func shown(_ key: String, _ value: UCIValue?) -> String {
            guard let value else { return "unset" }
            if secretKeys.contains(key) { return "(secret)" }
            switch value {
            case .single(let text): return "'\(text)'"
            case .list(let items): return "[" + items.map { "'\($0)'" }.joined(separator: ", ") + "]"
            }
        }
        switch change {
        case .addSection(let file, let match, _, _):
            return "- \(file): \(match)"
        case .setOptions(let file, let match, let options):
            let undone = options.map { "\($0.key) \(shown($0.key, $0.new)) → \(shown($0.key, $0.old))" }
            return "~ \(file): \(match): \(undone.joined(separator: ", "))"
        case .removeSection(let file, let match, _, _):
            return "+ \(file): \(match) put back"
        case .addLine(let file, let line, _):
            return
                "- \(file): line '\(line.split(separator: "\t", omittingEmptySubsequences: false).joined(separator: "\\t"))'"
        case .writeFile(let path, let old, _):
            guard old.exists else { return "- \(path): removed" }
            let what = secretFiles.contains(path) ? "(secret content)" : "\(old.content?.count ?? 0) bytes"
            return "~ \(path): put back (\(what), mode \(old.mode), owner \(old.owner))"
        case .package(let name, let install):
            return install ? "- package \(name): remove (the run installed it)" : "+ package \(name): install again"
        case .service(let name, let verb):
            return "~ service \(name): \(verb.inverse.rawValue)"
        }
    }
}
