/// Line surgery behind `UCIFile`'s edits: which lines belong to a section, splitting lines that hold several
/// commands, and writing new lines uci-style. Works on a copy; the file takes the result only after it reads back as
/// intended.
struct UCIEditor {
    var lines: [UCILine]
    let model: UCIModel
    var nextID: Int
    let lineEnding: Substring

    /// A blank separator line.
    var blankLine: UCILine {
        UCILine(rendered: "", command: nil, eol: lineEnding)
    }

    /// A new command with a fresh id.
    mutating func command(_ kind: UCICommand.Kind) -> UCICommand {
        defer { nextID += 1 }
        return UCICommand(kind: kind, id: nextID)
    }

    // MARK: - Ownership

    /// For each line, the section each of its commands belongs to (nil for `package`).
    func owners() -> [[UCISection.ID?]] {
        var current: UCISection.ID?
        return lines.map { line in
            line.commands.map { command in
                switch command.kind {
                case .package:
                    return nil
                case .config:
                    current = model.sectionOfConfig[command.id]
                    return current
                case .option, .list:
                    return current
                }
            }
        }
    }

    /// The line ranges of a section: for each `config` line of it, the comment lines directly above (when a blank
    /// line precedes them) through its last option line. Comments after the last option belong to the gap.
    func spans(of section: UCISection.ID) -> [ClosedRange<Int>] {
        let owners = owners()
        var spans: [ClosedRange<Int>] = []
        var index = 0
        while index < lines.count {
            let opensSection = zip(lines[index].commands, owners[index]).contains { command, owner in
                if case .config = command.kind { return owner == section }
                return false
            }
            guard opensSection else {
                index += 1
                continue
            }
            let start = index
            var end = index
            var next = index + 1
            while next < lines.count
                && !lines[next].commands.contains(where: { if case .config = $0.kind { true } else { false } })
            {
                if owners[next].contains(section) {
                    end = next
                }
                next += 1
            }
            spans.append(attachedCommentStart(above: start)...end)
            index = next
        }
        return spans
    }

    /// The first of the comment lines directly above `line`, when a blank line separates them from what precedes;
    /// else `line` itself. Such comments describe the section below them, so they move and go with it.
    func attachedCommentStart(above line: Int) -> Int {
        var top = line
        while top > 0 && lines[top - 1].isComment {
            top -= 1
        }
        if top < line && top > 0 && lines[top - 1].isBlank {
            return top
        }
        return line
    }

    // MARK: - Splitting

    /// Rewrites lines that hold several commands (joined by `;`) uci-style, one line per command, keeping the
    /// commands' ids, where `split` says so for the line's commands and their sections. Other lines stay as they are.
    mutating func splitLines(where split: (_ commands: [UCICommand], _ owners: [UCISection.ID?]) -> Bool) {
        let owners = owners()
        guard lines.indices.contains(where: { lines[$0].commands.count > 1 && split(lines[$0].commands, owners[$0]) })
        else { return }
        var out: [UCILine] = []
        out.reserveCapacity(lines.count + 4)
        for (index, line) in lines.enumerated() {
            if line.commands.count > 1 && split(line.commands, owners[index]) {
                out += rendered(line.commands, replacing: line)
            } else {
                out.append(line)
            }
        }
        lines = out
    }

    /// Whether a line holds commands of `section` and of something else (another section, or a package line): the
    /// only lines that must be split before `section`'s lines can be moved or removed whole.
    static func sharesLine(_ owners: [UCISection.ID?], with section: UCISection.ID) -> Bool {
        owners.contains(section) && owners.contains { $0 != section }
    }

    /// Commands written uci-style, one per line, in place of `line`; the last keeps the line's trailing comment and
    /// line end.
    func rendered(_ commands: [UCICommand], replacing line: UCILine) -> [UCILine] {
        commands.enumerated().map { index, command in
            UCILine(
                rendered: UCIRenderer.line(for: command.kind), command: command,
                comment: index == commands.count - 1 ? line.comment : "",
                eol: index == commands.count - 1 ? line.eol : lineEnding)
        }
    }

    /// Makes the line at `index` one another line can follow: only the file's last line can be open, when it has no
    /// line end or ends in a backslash continuation that met the end of the file. Such a line is checked with a
    /// line after it and, if it would read differently (pull that line in, or end in an error like a trailing `;`),
    /// rewritten uci-style.
    mutating func ensureLineEnd(at index: Int) {
        guard index == lines.count - 1 else { return }
        let line = lines[index]
        let text = line.eol.isEmpty ? String(line.text) + lineEnding : String(line.text)
        let eol = line.eol.isEmpty ? lineEnding : line.eol
        let probe: UCICommand.Kind = .config(type: "probe", name: nil)
        if line.commands.isEmpty
            || UCIParser.commands(of: text + "config probe\n", insideSection: true) == line.commands.map(\.kind) + [
                probe
            ]
        {
            if line.eol.isEmpty {
                lines[index] = UCILine(text: Substring(text), commands: line.commands, comment: line.comment, eol: eol)
            }
        } else {
            var ended = line
            ended.eol = eol
            lines.replaceSubrange(index...index, with: rendered(line.commands, replacing: ended))
        }
    }
}
