/// Reads a config file exactly as libuci loads one (file.c `uci_import` → `uci_parse_line`, strict mode), keeping
/// every byte: the result is the file's logical lines, each with its text and decoded commands.
///
/// uci reads one line into a buffer, splits the keyword off with `strtok(" \t")`, then decodes each argument in
/// place; quotes and a trailing backslash pull further lines into the same buffer. Some of uci's behaviour follows
/// from that in-place decoding (a `;` right after an unquoted value is overwritten by the value's terminating NUL,
/// which silently drops the rest of the line), so this parser keeps the same kind of line buffer and the same order
/// of steps, and maps buffer positions back to file offsets for lines, columns and the lossless line texts.
///
/// Two deliberate differences, both rejections of input uci would accept while losing something: NUL bytes, and text
/// after a `;` that uci would drop. Everything else uci rejects is rejected here with a line and column.
struct UCIParser {
    private let text: String
    private let bytes: [UInt8]
    private let path: String

    /// Start of the next physical line to read.
    private var readOffset = 0
    /// uci's line buffer: content, then a 0 terminator.
    private var buffer: [UInt8] = []
    /// uci's `buf_filled`: bytes in the buffer as of the last line read.
    private var filled = 0
    /// Where each piece of the buffer came from: buffer index → file offset.
    private var segments: [(bufferStart: Int, fileStart: Int)] = []
    private var pos = 0

    /// The decoded bytes of the argument being read.
    private var scratch: [UInt8] = []
    /// File offset just after the keyword or the last argument that consumed text.
    private var lastTokenEnd = 0
    /// File offset of the last `;` consumed as an empty argument on this line.
    private var lastSemicolon: Int?
    private var lineCommands: [UCICommand] = []
    private var lineCommandEnd = 0

    private(set) var builder = UCIModelBuilder()
    private(set) var nextID: Int

    init(text: String, path: String) {
        self.text = text
        self.bytes = Array(text.utf8)
        self.path = path
        self.nextID = 0
    }

    /// Reads a whole file.
    mutating func parse() throws(UCIError) -> [UCILine] {
        if let nul = bytes.firstIndex(of: 0) {
            throw error(.nulByte, at: nul, "NUL byte: a config file is text; remove it")
        }
        var lines: [UCILine] = []
        var lineStartIndex = text.utf8.startIndex
        while readOffset < bytes.count {
            let lineStart = readOffset
            pos = 0
            buffer.removeAll(keepingCapacity: true)
            segments.removeAll(keepingCapacity: true)
            readLine(into: 0)
            lineCommands = []
            lastSemicolon = nil
            lastTokenEnd = lineStart
            lineCommandEnd = lineStart
            try parseLine()
            let lineEnd = readOffset
            let lineEndIndex = text.utf8.index(lineStartIndex, offsetBy: lineEnd - lineStart)
            lines.append(makeLine(text: text[lineStartIndex..<lineEndIndex], start: lineStart, end: lineEnd))
            lineStartIndex = lineEndIndex
        }
        return lines
    }

    /// The commands of a piece of text that sits inside a section (or at the top when `insideSection` is false), or
    /// nil when uci would reject it. Checks text that an edit moves or extends.
    static func commands(of text: String, insideSection: Bool) -> [UCICommand.Kind]? {
        var parser = UCIParser(text: text, path: "")
        if insideSection {
            parser.builder.openPlaceholderSection()
        }
        guard let lines = try? parser.parse() else { return nil }
        return lines.flatMap { $0.commands.map(\.kind) }
    }

    // MARK: - Lines

    private func makeLine(text: Substring, start: Int, end: Int) -> UCILine {
        var eolStart = end
        if eolStart > start && bytes[eolStart - 1] == UCISyntax.newline {
            eolStart -= 1
            if eolStart > start && bytes[eolStart - 1] == UCISyntax.carriageReturn {
                eolStart -= 1
            }
        }
        let eol = text.utf8.suffix(end - eolStart)
        guard !lineCommands.isEmpty else {
            return UCILine(text: text, commands: [], comment: "", eol: Substring(eol))
        }
        // What follows the last command: kept when the command is rewritten if it is only whitespace and a comment.
        let suffixStart = min(max(lineCommandEnd, start), eolStart)
        var index = suffixStart
        while index < eolStart && UCISyntax.isSpace(bytes[index]) && bytes[index] != UCISyntax.newline {
            index += 1
        }
        var plain = true
        var hasComment = false
        if index < eolStart {
            if bytes[index] == UCISyntax.hash {
                hasComment = true
                plain = !bytes[index..<eolStart].contains(UCISyntax.newline)
            } else {
                plain = false
            }
        }
        var comment: Substring = ""
        if plain && hasComment {
            let utf8 = text.utf8
            let from = utf8.index(utf8.startIndex, offsetBy: suffixStart - start)
            let to = utf8.index(utf8.startIndex, offsetBy: eolStart - start)
            comment = text[from..<to]
        }
        return UCILine(text: text, commands: lineCommands, comment: comment, eol: Substring(eol))
    }

    // MARK: - uci_parse_line

    private enum Keyword {
        case package, config, option, list
    }

    private mutating func parseLine() throws(UCIError) {
        skipWhitespace()
        while true {
            // strtok(" \t"): skip spaces and tabs, cut the word at the next space, tab or end.
            var start = pos
            while at(start) == UCISyntax.space || at(start) == UCISyntax.tab {
                start += 1
            }
            if at(start) == 0 { return }
            var end = start
            while at(end) != 0 && at(end) != UCISyntax.space && at(end) != UCISyntax.tab {
                end += 1
            }
            if at(end) != 0 {
                buffer[end] = 0
            }
            let word = buffer[start..<end]
            if word.first == UCISyntax.hash { return }
            guard let keyword = Self.keyword(word) else {
                throw unknownWord(word, start: start)
            }
            let keywordOffset = fileOffset(start)
            switch keyword {
            case .package:
                try skipKeyword(end: end, missing: "package needs a name, e.g. package network")
                let name = try nextArgument(
                    required: true, role: .packageName, missing: "package needs a name, e.g. package network")
                try assertEndOfCommand(after: "package NAME")
                appendCommand(.package(name.value))
            case .config:
                try skipKeyword(end: end, missing: "config needs a section type, e.g. config interface 'lan'")
                let type = try nextArgument(
                    required: true, role: .type, missing: "config needs a section type, e.g. config interface 'lan'")
                let name = try nextArgument(required: false, role: .sectionName, missing: "")
                try assertEndOfCommand(after: "config TYPE 'NAME'")
                let command = appendCommand(.config(type: type.value, name: name.isEmpty ? nil : name.value))
                do {
                    try builder.apply(command)
                } catch {
                    throw modelError(error, at: name.isEmpty ? keywordOffset : name.start)
                }
            case .option, .list:
                let word = keyword == .option ? "option" : "list"
                guard builder.hasOpenSection else {
                    throw self.error(
                        .optionOutsideSection, at: keywordOffset,
                        "\(word) before the first section: put a config line (config TYPE 'NAME') above it")
                }
                let missing =
                    keyword == .option
                    ? "option needs a name and a value, e.g. option proto 'static'"
                    : "list needs a name and an item, e.g. list network 'lan'"
                try skipKeyword(end: end, missing: missing)
                let name = try nextArgument(required: true, role: .optionName, missing: missing)
                let value = try nextArgument(required: false, role: .value, missing: "")
                let valueEnd = lastTokenEnd
                try assertEndOfCommand(after: "\(word) NAME VALUE")
                let kind: UCICommand.Kind =
                    keyword == .option
                    ? .option(key: name.value, value: value.value)
                    : .list(key: name.value, value: value.value)
                let command = appendCommand(kind, valueRange: valueEnd > value.start ? value.start..<valueEnd : nil)
                do {
                    try builder.apply(command)
                } catch {
                    throw modelError(error, at: keywordOffset)
                }
            }
        }
    }

    /// uci's keywords: the first letter alone or the whole word.
    private static func keyword(_ word: ArraySlice<UInt8>) -> Keyword? {
        guard let first = word.first else { return nil }
        let keyword: Keyword
        let spelled: String
        switch first {
        case UInt8(ascii: "p"): (keyword, spelled) = (.package, "package")
        case UInt8(ascii: "c"): (keyword, spelled) = (.config, "config")
        case UInt8(ascii: "o"): (keyword, spelled) = (.option, "option")
        case UInt8(ascii: "l"): (keyword, spelled) = (.list, "list")
        default: return nil
        }
        return word.count == 1 || word.elementsEqual(spelled.utf8) ? keyword : nil
    }

    @discardableResult
    private mutating func appendCommand(_ kind: UCICommand.Kind, valueRange: Range<Int>? = nil) -> UCICommand {
        let command = UCICommand(kind: kind, id: nextID, valueRange: valueRange)
        nextID += 1
        lineCommands.append(command)
        lineCommandEnd = lastTokenEnd
        return command
    }

    /// uci_increase_pos past the keyword and the NUL strtok wrote after it; a keyword that ends the buffer has no
    /// arguments.
    private mutating func skipKeyword(end: Int, missing: String) throws(UCIError) {
        if end + 1 > filled {
            throw error(.missingArgument, at: fileOffset(end), missing)
        }
        pos = end + 1
        lastTokenEnd = fileOffset(end)
    }

    /// A word that is no keyword: say what was probably meant.
    private func unknownWord(_ word: ArraySlice<UInt8>, start: Int) -> UCIError {
        if let first = word.first, UCISyntax.isSpace(first) {
            if let semicolon = lastSemicolon {
                return error(
                    .trailingSemicolon, at: semicolon,
                    "';' must be followed by another command on the same line: remove the ';'")
            }
            return error(
                .unknownKeyword, at: fileOffset(start),
                "stray whitespace character \\x\(UCISyntax.hex(Int(first), width: 2)) where uci expects a command")
        }
        var trimmed = word
        while let last = trimmed.last, UCISyntax.isSpace(last) {
            trimmed.removeLast()
        }
        if trimmed.count < word.count, let keyword = Self.keyword(trimmed) {
            let at = fileOffset(start + trimmed.count)
            switch keyword {
            case .package: return error(.missingArgument, at: at, "package needs a name, e.g. package network")
            case .config:
                return error(.missingArgument, at: at, "config needs a section type, e.g. config interface 'lan'")
            case .option:
                return error(.missingArgument, at: at, "option needs a name and a value, e.g. option proto 'static'")
            case .list: return error(.missingArgument, at: at, "list needs a name and an item, e.g. list network 'lan'")
            }
        }
        return error(
            .unknownKeyword, at: fileOffset(start),
            "unknown keyword '\(UCISyntax.display(word))': expected config, option, list or package (or a # comment)")
    }

    // MARK: - Arguments (next_arg, parse_str)

    private enum Role {
        case type, sectionName, optionName, packageName, value
    }

    private struct Argument {
        var value: String
        var isEmpty: Bool
        /// File offset where the argument starts.
        var start: Int
    }

    /// assert_eol: the one argument after a command must be empty. (uci reads just one: after an empty argument such
    /// as `''` or `;`, whatever follows is read as the next command.)
    private mutating func assertEndOfCommand(after form: String) throws(UCIError) {
        skipWhitespace()
        let extra = try nextArgument(required: false, role: .value, missing: "")
        if !extra.isEmpty {
            throw error(
                .tooManyArguments, at: extra.start,
                "unexpected extra word after \(form): quote a value that contains spaces, or start a new line")
        }
    }

    private mutating func nextArgument(required: Bool, role: Role, missing: String) throws(UCIError) -> Argument {
        skipWhitespace()
        let start = pos
        let startOffset = fileOffset(start)
        let previousEnd = lastTokenEnd
        var empty: Bool
        if at(pos) == UCISyntax.semicolon {
            lastSemicolon = startOffset
            buffer[pos] = 0
            pos += 1
            scratch.removeAll(keepingCapacity: true)
            empty = true
        } else {
            try readString(start: start)
            empty = scratch.isEmpty
        }
        if empty && required {
            // Point at an empty '' where one was written, else just after the previous word.
            throw error(.missingArgument, at: lastTokenEnd != previousEnd ? startOffset : previousEnd, missing)
        }
        if !empty {
            switch role {
            case .type:
                if !UCISyntax.isValidType(scratch) {
                    throw error(
                        .invalidType, at: startOffset,
                        "invalid section type '\(UCISyntax.display(scratch))': use printable characters without spaces")
                }
            case .sectionName:
                if !UCISyntax.isValidName(scratch) {
                    throw error(
                        .invalidName, at: startOffset,
                        "invalid section name '\(UCISyntax.display(scratch))': use only letters, digits and _")
                }
            case .optionName:
                if !UCISyntax.isValidName(scratch) {
                    throw error(
                        .invalidName, at: startOffset,
                        "invalid option name '\(UCISyntax.display(scratch))': use only letters, digits and _")
                }
            case .packageName:
                if !UCISyntax.isValidPackageName(scratch) {
                    throw error(
                        .invalidName, at: startOffset,
                        "invalid package name '\(UCISyntax.display(scratch))': use only letters, digits, _ and -")
                }
            case .value:
                break
            }
        }
        return Argument(
            value: empty ? "" : String(decoding: scratch, as: UTF8.self), isEmpty: empty, start: startOffset)
    }

    /// parse_str: one argument, from adjacent bare, 'single' and "double" quoted pieces, decoded into `scratch`.
    private mutating func readString(start: Int) throws(UCIError) {
        scratch.removeAll(keepingCapacity: true)
        var endsCommand = false
        scan: while true {
            let byte = at(pos)
            switch byte {
            case UCISyntax.singleQuote:
                try readSingleQuoted()
            case UCISyntax.doubleQuote:
                try readDoubleQuoted()
            case UCISyntax.hash:
                // A comment: the line ends here.
                buffer[pos] = 0
                break scan
            case 0:
                break scan
            case UCISyntax.semicolon:
                endsCommand = true
                break scan
            case UCISyntax.backslash:
                if !takeBackslash() {
                    // A line continuation; the word goes on only if the next line does not start with whitespace.
                    let next = at(pos)
                    if next != 0 && !UCISyntax.isSpace(next) { continue scan }
                    break scan
                }
                scratch.append(at(pos))
                pos += 1
            default:
                scratch.append(byte)
                pos += 1
            }
            let next = at(pos)
            if next == 0 || UCISyntax.isSpace(next) { break scan }
        }
        if pos > start {
            lastTokenEnd = fileOffset(pos)
        }
        if at(pos) != 0 && !endsCommand {
            pos += 1
        }
        // uci writes the decoded word over the buffer and ends it with a NUL. When nothing was quoted or escaped the
        // NUL lands on the ';' that ended the word, and uci never sees the rest of the line.
        let terminator = start + scratch.count
        if terminator == pos && endsCommand {
            var index = pos + 1
            while at(index) != 0 && UCISyntax.isSpace(at(index)) {
                index += 1
            }
            if at(index) != 0 && at(index) != UCISyntax.hash {
                throw error(
                    .ignoredText, at: fileOffset(pos),
                    "uci ignores everything after this ';' because it directly follows an unquoted word: put a space before the ';' or quote the word"
                )
            }
        }
        if terminator < buffer.count {
            buffer[terminator] = 0
        }
    }

    private mutating func readSingleQuoted() throws(UCIError) {
        let quote = fileOffset(pos)
        pos += 1
        while true {
            let byte = at(pos)
            if byte == UCISyntax.singleQuote {
                pos += 1
                return
            }
            if byte == 0 {
                readLine(into: pos)
                if at(pos) == 0 {
                    throw error(
                        .unterminatedQuote, at: quote,
                        "unterminated ' quote: no closing ' before the end of the file")
                }
                continue
            }
            scratch.append(byte)
            pos += 1
        }
    }

    private mutating func readDoubleQuoted() throws(UCIError) {
        let quote = fileOffset(pos)
        pos += 1
        while true {
            let byte = at(pos)
            switch byte {
            case UCISyntax.doubleQuote:
                pos += 1
                return
            case 0:
                readLine(into: pos)
                if at(pos) == 0 {
                    throw error(
                        .unterminatedQuote, at: quote,
                        "unterminated \" quote: no closing \" before the end of the file")
                }
            case UCISyntax.backslash:
                if !takeBackslash() { continue }
                scratch.append(at(pos))
                pos += 1
            default:
                scratch.append(byte)
                pos += 1
            }
        }
    }

    /// parse_backslash: skips the backslash; at the end of the line it pulls in the next line (the backslash and the
    /// line end vanish) and returns false, else the next character is taken literally.
    private mutating func takeBackslash() -> Bool {
        pos += 1
        let byte = at(pos)
        if byte == 0 || byte == UCISyntax.newline
            || (byte == UCISyntax.carriageReturn && at(pos + 1) == UCISyntax.newline && at(pos + 2) == 0)
        {
            readLine(into: pos)
            return false
        }
        return true
    }

    private mutating func skipWhitespace() {
        while at(pos) != 0 && UCISyntax.isSpace(at(pos)) {
            pos += 1
        }
    }

    // MARK: - Buffer

    @inline(__always)
    private func at(_ index: Int) -> UInt8 {
        index < buffer.count ? buffer[index] : 0
    }

    /// uci_getln: reads the next physical line (through its '\n') into the buffer at `index`, replacing what was
    /// there; at the end of the file the buffer just ends at `index`.
    private mutating func readLine(into index: Int) {
        if index < buffer.count {
            buffer.removeSubrange(index...)
        }
        while let last = segments.last, last.bufferStart >= index {
            segments.removeLast()
        }
        guard readOffset < bytes.count else {
            buffer.append(0)
            return
        }
        var end = readOffset
        while end < bytes.count {
            end += 1
            if bytes[end - 1] == UCISyntax.newline { break }
        }
        segments.append((index, readOffset))
        buffer.append(contentsOf: bytes[readOffset..<end])
        buffer.append(0)
        filled = index + (end - readOffset)
        readOffset = end
    }

    private func fileOffset(_ index: Int) -> Int {
        for segment in segments.reversed() where segment.bufferStart <= index {
            return segment.fileStart + (index - segment.bufferStart)
        }
        return readOffset
    }

    // MARK: - Errors

    private func error(_ kind: UCIError.Kind, at offset: Int, _ message: String) -> UCIError {
        let (line, column) = TextLocation.lineAndColumn(of: offset, in: bytes)
        return UCIError(kind: kind, path: path, line: line, column: column, message: message)
    }

    private func modelError(_ failure: UCIModelBuilder.Failure, at offset: Int) -> UCIError {
        switch failure {
        case .optionOutsideSection:
            return error(
                .optionOutsideSection, at: offset,
                "option before the first section: put a config line (config TYPE 'NAME') above it")
        case .typeConflict(let name, let firstType, let type):
            return error(
                .sectionTypeConflict, at: offset,
                "section '\(name)' was declared with type '\(UCISyntax.display(firstType.utf8))' before, here with type '\(UCISyntax.display(type.utf8))': rename one of them"
            )
        }
    }
}
