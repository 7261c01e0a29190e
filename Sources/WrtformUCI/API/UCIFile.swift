/// One /etc/config file: read as uci reads it, edited with minimal text changes, written back byte for byte where
/// untouched.
///
/// People read the diff before anything is written to a router, and a firewall file tended by hand must not come
/// back reformatted: `text` is the original bytes with only the edited lines replaced, and new or changed lines are
/// written the way `uci commit` writes them.
public struct UCIFile: Sendable, Equatable {
    /// The file's path, for error messages and diffs.
    public internal(set) var path: String
    /// The file's text: the parsed bytes verbatim, with each edit's lines replaced.
    public internal(set) var text: String

    var lines: [UCILine]
    var model: UCIModel
    var nextID: Int
    /// The line end new lines get: the file's own (a CRLF file stays CRLF), else "\n".
    var lineEnding: Substring

    /// Reads `text` as uci would load it from /etc/config. Throws where uci would refuse the file, with the line and
    /// column, and also where uci would silently ignore text (see `UCIError.Kind.ignoredText`).
    public init(parsing text: String, path: String = "") throws(UCIError) {
        var parser = UCIParser(text: text, path: path)
        self.lines = try parser.parse()
        self.model = parser.builder.finish()
        self.nextID = parser.nextID
        self.text = text
        self.path = path
        self.lineEnding = lines.first { !$0.eol.isEmpty }?.eol ?? "\n"
    }

    /// An empty file.
    public init() {
        self.path = ""
        self.text = ""
        self.lines = []
        self.model = UCIModel()
        self.nextID = 0
        self.lineEnding = "\n"
    }

    /// Files are equal when their paths and their bytes are.
    public static func == (lhs: UCIFile, rhs: UCIFile) -> Bool {
        lhs.path == rhs.path && lhs.text.utf8.elementsEqual(rhs.text.utf8)
    }

    // MARK: - Reading

    /// All sections in file order (uci's order).
    public var sections: [UCISection] { model.sections }

    public func sections(ofType type: String) -> [UCISection] {
        model.sections.filter { $0.type == type }
    }

    /// The section with this explicit name (`config interface 'lan'`).
    public func section(named name: String) -> UCISection? {
        model.positionByName[name].map { model.sections[$0] }
    }

    public func section(_ id: UCISection.ID) -> UCISection? {
        model.positionByID[id].map { model.sections[$0] }
    }

    /// uci addressing: `lan`, `@zone[0]`, `@zone[-1]` (last), `@[2]` (any type), or an anonymous section's
    /// `cfgXXYYYY` name as `uci show` prints it.
    public func section(at reference: String) -> UCISection? {
        guard reference.hasPrefix("@") else {
            return section(named: reference) ?? model.sections.first { $0.uciName == reference }
        }
        guard reference.hasSuffix("]"), let open = reference.firstIndex(of: "[") else { return nil }
        let type = reference[reference.index(after: reference.startIndex)..<open]
        let number = reference[reference.index(after: open)..<reference.index(before: reference.endIndex)]
        guard var index = Int(number) else { return nil }
        let candidates = type.isEmpty ? model.sections : model.sections.filter { $0.type == type }
        if index < 0 {
            index += candidates.count
        }
        return candidates.indices.contains(index) ? candidates[index] : nil
    }

    /// Sections of `type` whose options equal all of `options`; `.single("x")` matches `.list(["x"])`.
    public func sections(ofType type: String, matching options: [String: UCIValue]) -> [UCISection] {
        model.sections.filter { section in
            section.type == type
                && options.allSatisfy { key, value in
                    section[key]?.matches(value) ?? false
                }
        }
    }

    /// The text that belongs to a section: any comment lines directly above it (after a blank line), its config line,
    /// and everything through its last option line. A section declared twice has two pieces, joined.
    public func text(of id: UCISection.ID) -> String? {
        guard model.positionByID[id] != nil else { return nil }
        let editor = UCIEditor(lines: lines, model: model, nextID: nextID, lineEnding: lineEnding)
        var out = ""
        for span in editor.spans(of: id) {
            for line in lines[span] {
                out += line.text
            }
        }
        return out
    }

    /// Byte ranges of `text(of:)`'s pieces within `text`.
    func byteRanges(of id: UCISection.ID) -> [Range<Int>] {
        guard model.positionByID[id] != nil else { return [] }
        let editor = UCIEditor(lines: lines, model: model, nextID: nextID, lineEnding: lineEnding)
        var starts: [Int] = []
        starts.reserveCapacity(lines.count + 1)
        var offset = 0
        for line in lines {
            starts.append(offset)
            offset += line.text.utf8.count
        }
        starts.append(offset)
        return editor.spans(of: id).map { starts[$0.lowerBound]..<starts[$0.upperBound + 1] }
    }

    func joinedText(_ lines: [UCILine]) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count + 256)
        for line in lines {
            out += line.text
        }
        return out
    }
}
