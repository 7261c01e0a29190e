extension UCIFile {
    /// Sets, replaces or removes one option of a section, changing only that option's lines.
    ///
    /// - An existing option's line is rewritten in place (`\toption KEY 'VALUE'`, keeping a trailing comment); a list
    ///   becomes one `\tlist KEY 'ITEM'` line per item at the same place; duplicate lines of the key are removed.
    /// - A new option goes after the section's last option line.
    /// - `nil` removes the option's lines. As with `uci set`, an empty value (`.single("")`, `.list([])`) removes too.
    /// - Setting the value the option already has changes nothing.
    public mutating func set(_ key: String, to value: UCIValue?, in section: UCISection.ID) throws(UCIError) {
        guard let position = model.positionByID[section] else {
            throw editError(
                .unknownSection, "no \(section) in this file (deleted, or from another file): look the section up again"
            )
        }
        guard UCISyntax.isValidName(key) else {
            throw editError(
                .invalidName, "invalid option name '\(UCISyntax.display(key.utf8))': use only letters, digits and _")
        }
        let value = try normalized(value, key: key)
        let old = model.sections[position]
        if old[key] == value { return }

        var editor = UCIEditor(lines: lines, model: model, nextID: nextID, lineEnding: lineEnding)
        // Lines holding this key's commands together with others, and lines shared with another section, are split
        // so the key's lines can be replaced or removed whole; other lines of the section stay as written.
        editor.splitLines { commands, owners in
            UCIEditor.sharesLine(owners, with: section)
                || zip(commands, owners).contains { command, owner in
                    guard owner == section else { return false }
                    switch command.kind {
                    case .option(let name, _), .list(let name, _): return name == key
                    default: return false
                    }
                }
        }
        let owners = editor.owners()
        let anchor = model.anchor(of: key, inSectionAt: position)
        var anchorLine: Int?
        var keyLines: Set<Int> = []
        for (index, line) in editor.lines.enumerated() where line.commands.count == 1 && owners[index].first == section
        {
            let command = line.commands[0]
            switch command.kind {
            case .option(let name, _), .list(let name, _):
                if name == key {
                    keyLines.insert(index)
                    if command.id == anchor {
                        anchorLine = index
                    }
                }
            default:
                break
            }
        }
        var newLines: [UCILine] = []
        newLines.reserveCapacity(editor.lines.count + 4)
        for (index, line) in editor.lines.enumerated() {
            if index == anchorLine, let value {
                newLines += replacement(for: line, key: key, value: value, editor: &editor)
            } else if !keyLines.contains(index) {
                newLines.append(line)
            }
        }
        editor.lines = newLines
        if anchorLine == nil, let value {
            // A new option: after the section's last line, i.e. at the end of its last declaration.
            guard let last = editor.spans(of: section).last?.upperBound else {
                throw editError(
                    .inconsistentEdit, "section \(old.uciName) has no config line left; nothing was changed")
            }
            editor.ensureLineEnd(at: last)
            let lastAfter = editor.spans(of: section).last?.upperBound ?? last
            var added: [UCILine] = []
            for (text, kind) in Self.rendered(key: key, value: value) {
                added.append(UCILine(rendered: text, command: editor.command(kind), eol: lineEnding))
            }
            editor.lines.insert(contentsOf: added, at: lastAfter + 1)
        }

        var expected = model.sections
        var options = old.options
        if let index = options.firstIndex(where: { $0.key == key }) {
            if let value {
                options[index].value = value
            } else {
                options.remove(at: index)
            }
        } else if let value {
            options.append(UCIOption(key, value))
        }
        expected[position] = UCISection(
            id: old.id, type: old.type, name: old.name, options: options,
            index: old.index, uciName: old.uciName)
        try commit(editor, expecting: expected)
    }

    /// Adds a section written uci-style (`config TYPE 'NAME'`, then its options), before the section now at
    /// `position` (and before the comment lines that describe it), or at the end of the file when `position` is nil.
    /// Section order matters: firewall4 evaluates rules and redirects in file order. Options with an empty value are
    /// left out, as `uci set` would leave them.
    @discardableResult
    public mutating func addSection(type: String, name: String?, options: [UCIOption], at position: Int? = nil)
        throws(UCIError) -> UCISection.ID
    {
        guard UCISyntax.isValidType(type) else {
            throw editError(
                .invalidType,
                "invalid section type '\(UCISyntax.display(type.utf8))': use printable characters without spaces")
        }
        if let name {
            guard UCISyntax.isValidName(name) else {
                throw editError(
                    .invalidName,
                    "invalid section name '\(UCISyntax.display(name.utf8))': use only letters, digits and _")
            }
            guard !Self.looksGenerated(name) else {
                throw editError(
                    .invalidName,
                    "section name '\(name)' has the form of uci's names for anonymous sections, which shift when sections move: choose another name"
                )
            }
            guard !model.sections.contains(where: { $0.name == name || $0.uciName == name }) else {
                throw editError(
                    .duplicateSection, "a section named '\(name)' already exists: edit it, or choose another name")
            }
        }
        var kept: [UCIOption] = []
        for option in options {
            guard UCISyntax.isValidName(option.key) else {
                throw editError(
                    .invalidName,
                    "invalid option name '\(UCISyntax.display(option.key.utf8))': use only letters, digits and _")
            }
            guard options.filter({ $0.key == option.key }).count == 1 else {
                throw editError(.invalidValue, "option '\(option.key)' is given twice: give a list as one .list value")
            }
            if let value = try normalized(option.value, key: option.key) {
                kept.append(UCIOption(option.key, value))
            }
        }
        let count = model.sections.count
        let position = position ?? count
        guard position >= 0 && position <= count else {
            throw editError(.positionOutOfRange, "position \(position) is outside 0...\(count), the file's sections")
        }

        var editor = UCIEditor(lines: lines, model: model, nextID: nextID, lineEnding: lineEnding)
        let header = editor.command(.config(type: type, name: name))
        var added = [UCILine(rendered: UCIRenderer.header(type: type, name: name), command: header, eol: lineEnding)]
        for option in kept {
            for (text, kind) in Self.rendered(key: option.key, value: option.value) {
                added.append(UCILine(rendered: text, command: editor.command(kind), eol: lineEnding))
            }
        }
        if position == count {
            // At the end, as uci commit writes: a blank line, then the section.
            if let last = editor.lines.indices.last {
                editor.ensureLineEnd(at: last)
            }
            if editor.lines.last?.isBlank != true {
                added.insert(editor.blankLine, at: 0)
            }
            editor.lines += added
        } else {
            let target = model.sections[position].id
            editor.splitLines { _, owners in UCIEditor.sharesLine(owners, with: target) }
            guard let at = editor.spans(of: target).first?.lowerBound else {
                throw editError(
                    .inconsistentEdit,
                    "section \(model.sections[position].uciName) has no config line; nothing was changed")
            }
            if at > 0 && !editor.lines[at - 1].isBlank {
                added.insert(editor.blankLine, at: 0)
            }
            added.append(editor.blankLine)
            editor.lines.insert(contentsOf: added, at: at)
        }

        let id = UCISection.ID(raw: header.id)
        var expected = model.sections
        expected.insert(
            UCISection(id: id, type: type, name: name, options: kept, index: position, uciName: ""), at: position)
        try commit(editor, expecting: expected)
        return id
    }

    /// Deletes a section: its lines (with the comment lines directly above it, see `text(of:)`) and the blank line
    /// above it (or, for the first section of the file, below it). Everything else stays byte for byte.
    public mutating func deleteSection(_ id: UCISection.ID) throws(UCIError) {
        guard let position = model.positionByID[id] else {
            throw editError(
                .unknownSection, "no \(id) in this file (deleted, or from another file): look the section up again")
        }
        var editor = UCIEditor(lines: lines, model: model, nextID: nextID, lineEnding: lineEnding)
        editor.splitLines { _, owners in UCIEditor.sharesLine(owners, with: id) }
        var removed: Set<Int> = []
        let lines = editor.lines
        for span in editor.spans(of: id) {
            removed.formUnion(span)
            // The blank line separating it: the one above; for a section at the very top, the one below, unless
            // that blank line sets off a comment which would then read as the file's header.
            let above = span.lowerBound - 1
            let below = span.upperBound + 1
            if above >= 0 {
                if lines[above].isBlank && !removed.contains(above) {
                    removed.insert(above)
                }
            } else if below < lines.count && lines[below].isBlank
                && !(below + 1 < lines.count && lines[below + 1].isComment)
            {
                removed.insert(below)
            }
        }
        editor.lines = editor.lines.enumerated().filter { !removed.contains($0.offset) }.map(\.element)

        var expected = model.sections
        expected.remove(at: position)
        try commit(editor, expecting: expected)
    }

    // MARK: - Helpers

    /// nil for a removal (nil, "" or an empty list, as uci treats them); an error for text uci cannot hold.
    private func normalized(_ value: UCIValue?, key: String) throws(UCIError) -> UCIValue? {
        guard let value else { return nil }
        for item in value.values where !UCISyntax.isValidValue(item) {
            throw editError(
                .invalidValue, "value of option '\(key)' holds a control character, which uci refuses: remove it")
        }
        switch value {
        case .single(let text) where text.isEmpty: return nil
        case .list(let items) where items.isEmpty: return nil
        default: return value
        }
    }

    /// The uci-style lines of one option, with the command each line holds.
    private static func rendered(key: String, value: UCIValue) -> [(String, UCICommand.Kind)] {
        let texts = UCIRenderer.lines(key: key, value: value)
        switch value {
        case .single(let text): return [(texts[0], .option(key: key, value: text))]
        case .list(let items):
            return zip(texts, items.map { UCICommand.Kind.list(key: key, value: $0) }).map { ($0, $1) }
        }
    }

    /// The replacement of an option's line: uci-style lines at the same place, the first keeping a trailing comment,
    /// the last keeping the line end.
    private func replacement(for line: UCILine, key: String, value: UCIValue, editor: inout UCIEditor) -> [UCILine] {
        let texts = Self.rendered(key: key, value: value)
        return texts.enumerated().map { index, item in
            UCILine(
                rendered: item.0, command: editor.command(item.1),
                comment: index == 0 ? line.comment : "",
                eol: index == texts.count - 1 ? line.eol : lineEnding)
        }
    }

    /// `cfg` and six or more hex digits: what uci calls anonymous sections.
    private static func looksGenerated(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard bytes.count >= 9, bytes.starts(with: Array("cfg".utf8)) else { return false }
        return bytes.dropFirst(3).allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    /// Takes the edited lines if their text reads back as `expected` (ids, types, names, options, order); else
    /// leaves the file unchanged and throws. The new text is parsed afresh, as uci will load it, and must give the
    /// same lines holding the same commands as the edit meant: what is written is what the router will see, and the
    /// next edit works on an exact picture of the text.
    private mutating func commit(_ editor: UCIEditor, expecting expected: [UCISection]) throws(UCIError) {
        let newText = joinedText(editor.lines)
        var parser = UCIParser(text: newText, path: path)
        var reread: [UCILine]
        do {
            reread = try parser.parse()
        } catch {
            throw editError(.inconsistentEdit, "the edited file would not load (\(error.message)); nothing was changed")
        }
        let sameLines =
            reread.count == editor.lines.count
            && zip(reread, editor.lines).allSatisfy { got, meant in
                got.commands.map(\.kind) == meant.commands.map(\.kind)
            }
        guard sameLines else {
            throw editError(
                .inconsistentEdit, "the edited text would read as different lines than intended; nothing was changed")
        }
        // Keep the edit's command ids (section IDs, option places) on the freshly read lines.
        for index in reread.indices {
            for command in reread[index].commands.indices {
                reread[index].commands[command].id = editor.lines[index].commands[command].id
            }
        }
        let rebuilt: UCIModel
        do {
            rebuilt = try UCIModel.build(reread)
        } catch {
            throw editError(.inconsistentEdit, "the edited file would not load (\(error)); nothing was changed")
        }
        let same =
            rebuilt.sections.count == expected.count
            && zip(rebuilt.sections, expected).allSatisfy { got, want in
                got.id == want.id && got.type == want.type && got.name == want.name && got.options == want.options
            }
        guard same else {
            throw editError(
                .inconsistentEdit,
                "the edited file would read back differently than intended (an explicit section name equal to a cfgXXYYYY name?); nothing was changed"
            )
        }
        lines = reread
        model = rebuilt
        nextID = editor.nextID
        text = newText
    }

    private func editError(_ kind: UCIError.Kind, _ message: String) -> UCIError {
        UCIError(kind: kind, path: path, line: 0, column: 0, message: message)
    }
}
