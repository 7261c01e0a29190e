import WrtformUCI

/// The changes that undo what one owned step holds on the router's current files: a section it
/// created is removed, options it set on someone else's section go back to their old values,
/// lines it added are taken out, a file it created is deleted. What was changed by hand since
/// is left as it is, with a warning.
struct Pruning {
    struct Removal {
        var changes: [Change] = []
        var action: StepAction = .delete
        var warnings: [String] = []
    }

    var entry: OwnedStep

    func changes(in state: inout RouterState) throws -> Removal {
        if let match = entry.match {
            var removal = try section(match, in: &state)
            if entry.created { removal.changes += try companions(in: &state) }
            return removal
        }
        if let added = entry.added ?? (entry.created ? entry.lines : nil), entry.lines != nil {
            return lines(added, in: state)
        }
        return file(in: state)
    }

    /// The helper sections the step created with its own, each found exactly once.
    private func companions(in state: inout RouterState) throws -> [Change] {
        var changes: [Change] = []
        for match in entry.companions ?? [] {
            let found = match.find(in: try state.uci(entry.file))
            guard found.count == 1, let section = found.first else { continue }
            let options = section.options.map { OptionSetting($0.key, $0.value) }
            changes.append(.removeSection(file: entry.file, match: match, options: options, position: section.index))
        }
        return changes
    }

    private func section(_ match: SectionMatch, in state: inout RouterState) throws -> Removal {
        let document = try state.uci(entry.file)
        let found = match.find(in: document)
        guard let section = found.first else { return Removal() }
        if found.count > 1 {
            return Removal(warnings: [
                "step '\(entry.id)': \(entry.file) has \(found.count) sections matching \(match): left them all alone"
            ])
        }
        if entry.created {
            let options = section.options.map { OptionSetting($0.key, $0.value) }
            return Removal(changes: [
                .removeSection(file: entry.file, match: match, options: options, position: section.index)
            ])
        }
        var removal = Removal(action: .update)
        var restore: [OptionChange] = []
        for option in entry.options ?? [] where option.beforeKnown {
            let current = section[option.key]
            if let value = option.value, !UCIValue.same(current, value) {
                removal.warnings.append(
                    "step '\(entry.id)': \(option.key) of \(match) was changed since wrtform set it: left as it is")
                continue
            }
            if !UCIValue.same(current, option.before) {
                restore.append(OptionChange(key: option.key, old: current, new: option.before))
            }
        }
        let unknown = (entry.options ?? []).filter { !$0.beforeKnown && section[$0.key] != nil }.map(\.key)
        if !unknown.isEmpty {
            removal.warnings.append(
                "step '\(entry.id)': \(unknown.joined(separator: ", ")) of \(match) left as it is: "
                    + "the value before wrtform is not recorded (secret, or set before ownership was recorded)")
        }
        if !restore.isEmpty { removal.changes = [.setOptions(file: entry.file, match: match, options: restore)] }
        return removal
    }

    /// Takes out the lines the step added (the last of each); deletes a file it created once
    /// nothing but what wrtform put there is left.
    private func lines(_ added: [String], in state: RouterState) -> Removal {
        let current = state.file(entry.file)
        guard let content = current.content else { return Removal() }
        // Split on LF bytes, each line kept with its own line end (a CRLF file stays CRLF).
        var ranges = LineFile.ranges(content)
        var removed = false
        for line in added {
            guard let index = ranges.lastIndex(where: { LineFile.trimmed(LineFile.body(content[$0])) == line }) else {
                continue
            }
            ranges.remove(at: index)
            removed = true
        }
        guard removed else { return Removal() }
        let bytes = ranges.flatMap { content[$0] }
        let text = String(decoding: bytes, as: UTF8.self)
        var new = current
        if entry.created && (text.allSatisfy(\.isWhitespace) || text == RoutingTableStep.stockContent) {
            new = FileState(content: nil, mode: current.mode, owner: current.owner)
        } else {
            new.content = bytes
        }
        return Removal(changes: [.writeFile(path: entry.file, old: current, new: new)])
    }

    private func file(in state: RouterState) -> Removal {
        let current = state.file(entry.file)
        guard entry.created, current.exists else { return Removal() }
        if let hash = entry.hash, current.hash != hash {
            return Removal(warnings: [
                "step '\(entry.id)': \(entry.file) was changed since wrtform wrote it: left in place"
            ])
        }
        return Removal(changes: [
            .writeFile(
                path: entry.file, old: current, new: FileState(content: nil, mode: current.mode, owner: current.owner))
        ])
    }

}
