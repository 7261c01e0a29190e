import WrtformUCI

/// One line per change for plan output, with secret values masked.
enum ChangeDescription {
    static func line(for change: Change, secretKeys: Set<String>, secretFiles: Set<String>) -> String {
        func value(_ key: String, _ value: UCIValue?) -> String {
            guard let value else { return "unset" }
            return secretKeys.contains(key) ? "(secret)" : value.displayText
        }
        switch change {
        case .addSection(let file, let match, let options, _):
            let shown = options.map { "\($0.key)=\(value($0.key, $0.value))" }.joined(separator: " ")
            return "+ \(file): \(match.type)\(match.name.map { " '\($0)'" } ?? "") \(shown)"
        case .setOptions(let file, let match, let options):
            let shown = options.map { "\($0.key) \(value($0.key, $0.old)) → \(value($0.key, $0.new))" }.joined(
                separator: ", ")
            return "~ \(file): \(match): \(shown)"
        case .removeSection(let file, let match, _, _):
            return "- \(file): \(match)"
        case .addLine(let file, let line, _):
            return "+ \(file): line '\(line.replacingTabs)'"
        case .writeFile(let path, _, let new) where !new.exists:
            return "- \(path): removed"
        case .writeFile(let path, let old, let new)
        where !secretFiles.contains(path) && removedLines(old, new)?.isEmpty == false:
            let lines = removedLines(old, new) ?? []
            return "- \(path): " + lines.map { "line '\($0.replacingTabs)'" }.joined(separator: ", ")
        case .writeFile(let path, let old, let new):
            let what = secretFiles.contains(path) ? "(secret content)" : "\(new.content?.count ?? 0) bytes"
            return "\(old.exists ? "~" : "+") \(path): \(what), mode \(new.mode), owner \(new.owner)"
        case .package(let name, let install):
            return install ? "+ package \(name): install" : "- package \(name): remove"
        case .service(let name, let verb):
            return "~ service \(name): \(verb.rawValue)"
        }
    }
}

extension ChangeDescription {
    /// The lines a rewrite only took out of a plain file (rt_tables, sysupgrade.conf), or nil when
    /// it did anything else.
    static func removedLines(_ old: FileState, _ new: FileState) -> [String]? {
        guard old.exists, new.exists else { return nil }
        var kept = new.text.split(separator: "\n", omittingEmptySubsequences: false)
        var removed: [String] = []
        for line in old.text.split(separator: "\n", omittingEmptySubsequences: false) {
            if kept.first == line { kept.removeFirst() } else { removed.append(String(line)) }
        }
        return kept.isEmpty ? removed : nil
    }
}

extension String {
    var replacingTabs: String { split(separator: "\t", omittingEmptySubsequences: false).joined(separator: "\\t") }
}
