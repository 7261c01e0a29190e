/// Where a `{{ name }}` lands in a file's text, found by reading the text around it as the router
/// will (busybox ash, or uci for /etc/config files), and how a value is written there so that it
/// reads back byte for byte. Escaping for the context, not refusing characters, is what keeps a
/// value from ending its quotes: checks by Swift `Character` missed `'` + U+0301 (one grapheme,
/// but the shell sees the `'` byte). Everything here works on UTF-8 bytes.
enum TemplateQuoting {
    enum Dialect {
        /// POSIX shell as busybox ash reads it: hotplug hooks, init scripts, anything not uci.
        case shell
        /// uci's own syntax (uci file.c): `'…'` literal, `"…"` with backslash escapes, `#` ends a line.
        case uci
    }

    enum Context: Equatable {
        case unquoted
        case singleQuoted
        case doubleQuoted
        case comment
        /// Inside text whose quoting a value cannot safely join: a here-document, `` `…` ``,
        /// `${…}` or `$((…))`. Only plain values go there.
        case opaque(String)
    }

    /// Bytes that read as themselves anywhere outside a comment: no escape needed.
    static func isPlain(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "/"), UInt8(ascii: ":"),
            UInt8(ascii: "@"),
            UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: "%"):
            return true
        default:
            // UTF-8 sequences (combining marks, ZWJ, NEL, U+2028 …) hold no ASCII byte: neither ash
            // nor uci gives them a meaning.
            return byte >= 0x80
        }
    }

    /// The value as text for `context`, or nil when it cannot be written there safely.
    static func escape(_ value: String, for context: Context, dialect: Dialect) -> String? {
        let bytes = Array(value.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        switch context {
        case .singleQuoted:
            // Close the quote, an escaped quote, reopen: the same in ash and uci.
            for byte in bytes {
                if byte == UInt8(ascii: "'") { out += Array("'\\''".utf8) } else { out.append(byte) }
            }
        case .doubleQuoted:
            let special: [UInt8] = dialect == .shell ? Array("\"\\$`".utf8) : Array("\"\\".utf8)
            for byte in bytes {
                if special.contains(byte) { out.append(UInt8(ascii: "\\")) }
                out.append(byte)
            }
        case .unquoted:
            for byte in bytes {
                if !isPlain(byte) { out.append(UInt8(ascii: "\\")) }
                out.append(byte)
            }
        case .comment:
            out = bytes
        case .opaque:
            guard bytes.allSatisfy(isPlain) else { return nil }
            out = bytes
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The context of each placeholder in `pieces`, in order. The text between placeholders drives
    /// the reading; an escaped value leaves the state as it found it, so values take no part.
    static func contexts(of pieces: [Template.Piece], dialect: Dialect) -> [Context] {
        var reader = Reader(dialect: dialect)
        var result: [Context] = []
        for piece in pieces {
            switch piece {
            case .text(let text): reader.read(Array(text.utf8))
            case .name:
                result.append(reader.context)
                reader.placeholder()
            }
        }
        return result
    }

    /// A small lexer of ash/uci quoting: enough to know which quotes are open at a point.
    struct Reader {
        enum State: Equatable {
            case unquoted
            case single
            case double
            case comment
            case backtick
            case parameter(depth: Int)
            case arithmetic(depth: Int)
            case heredoc
            /// bash's `$'…'` (busybox ash has it): backslash escapes inside, so no quoting is safe.
            case ansiC
        }

        /// A `$(` opened in a state: `)` at depth 0 returns to it.
        struct Frame {
            var resume: State
            var depth: Int
        }

        let dialect: Dialect
        var state = State.unquoted
        var frames: [Frame] = []
        /// Set while an escaping backslash waits for its byte (across pieces too).
        var escaped = false
        var previous: UInt8 = UInt8(ascii: "\n")
        var pendingHeredocs: [(delimiter: [UInt8], stripTabs: Bool)] = []
        var heredoc: (delimiter: [UInt8], stripTabs: Bool)?
        var line: [UInt8] = []
        /// Bytes after `<<` still being read as the delimiter word.
        var delimiter: (word: [UInt8], stripTabs: Bool, started: Bool, quote: UInt8?)?

        init(dialect: Dialect) { self.dialect = dialect }

        /// A value was written here. It reads as a word's characters (escaped, it ends no quote),
        /// so a `#` right after it starts no comment.
        mutating func placeholder() {
            escaped = false
            previous = UInt8(ascii: "a")
        }

        var context: Context {
            if escaped { return .opaque("right after a backslash") }
            if delimiter != nil { return .opaque("a here-document's delimiter") }
            switch state {
            case .unquoted: return .unquoted
            case .single: return .singleQuoted
            case .double: return .doubleQuoted
            case .comment: return .comment
            case .backtick: return .opaque("`…`")
            case .parameter: return .opaque("${…}")
            case .arithmetic: return .opaque("$((…))")
            case .heredoc: return .opaque("a here-document")
            case .ansiC: return .opaque("$'…'")
            }
        }

        mutating func read(_ bytes: [UInt8]) {
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                let next: UInt8? = index + 1 < bytes.count ? bytes[index + 1] : nil
                let next2: UInt8? = index + 2 < bytes.count ? bytes[index + 2] : nil
                index += step(byte, next, next2)
            }
        }

        private static func isWordBreak(_ byte: UInt8) -> Bool {
            " \t\n;&|()<>".utf8.contains(byte)
        }

        /// Reads one byte (with up to two of lookahead); returns how many bytes it consumed.
        private mutating func step(_ byte: UInt8, _ next: UInt8?, _ next2: UInt8?) -> Int {
            defer { previous = byte }
            if escaped {
                escaped = false
                return 1
            }
            if delimiter != nil {
                readDelimiter(byte)
                if byte == UInt8(ascii: "\n") { startLine() }
                return 1
            }
            switch state {
            case .heredoc:
                if byte == UInt8(ascii: "\n") { endHeredocLine() } else { line.append(byte) }
                return 1
            case .single:
                if byte == UInt8(ascii: "'") { state = resumeState() }
                return 1
            case .ansiC:
                if byte == UInt8(ascii: "\\") { escaped = true }
                if byte == UInt8(ascii: "'") { state = resumeState() }
                return 1
            case .comment:
                if byte == UInt8(ascii: "\n") {
                    state = .unquoted
                    startLine()
                }
                return 1
            case .double:
                switch byte {
                case UInt8(ascii: "\\"): escaped = true
                case UInt8(ascii: "\""): state = resumeState()
                case UInt8(ascii: "$") where dialect == .shell: return dollar(next, next2, resume: .double)
                case UInt8(ascii: "`") where dialect == .shell:
                    frames.append(Frame(resume: .double, depth: 0))
                    state = .backtick
                default: break
                }
                return 1
            case .backtick:
                if byte == UInt8(ascii: "\\") { escaped = true }
                if byte == UInt8(ascii: "`") { state = frames.popLast()?.resume ?? .unquoted }
                return 1
            case .parameter(let depth):
                if byte == UInt8(ascii: "{") { state = .parameter(depth: depth + 1) }
                if byte == UInt8(ascii: "}") {
                    state = depth == 0 ? (frames.popLast()?.resume ?? .unquoted) : .parameter(depth: depth - 1)
                }
                return 1
            case .arithmetic(let depth):
                if byte == UInt8(ascii: "(") { state = .arithmetic(depth: depth + 1) }
                if byte == UInt8(ascii: ")") {
                    if depth == 0 {
                        state = frames.popLast()?.resume ?? .unquoted
                        return next == UInt8(ascii: ")") ? 2 : 1
                    }
                    state = .arithmetic(depth: depth - 1)
                }
                return 1
            case .unquoted:
                return unquoted(byte, next, next2)
            }
        }

        private mutating func unquoted(_ byte: UInt8, _ next: UInt8?, _ next2: UInt8?) -> Int {
            switch byte {
            case UInt8(ascii: "\\"):
                escaped = true
            case UInt8(ascii: "'"):
                frames.append(Frame(resume: .unquoted, depth: frames.last?.depth ?? 0))
                state = .single
            case UInt8(ascii: "\""):
                frames.append(Frame(resume: .unquoted, depth: frames.last?.depth ?? 0))
                state = .double
            case UInt8(ascii: "#") where dialect == .uci || Self.isWordBreak(previous):
                state = .comment
            case UInt8(ascii: "\n"):
                startLine()
            default:
                guard dialect == .shell else { break }
                switch byte {
                case UInt8(ascii: "`"):
                    frames.append(Frame(resume: .unquoted, depth: 0))
                    state = .backtick
                case UInt8(ascii: "$"):
                    return dollar(next, next2, resume: .unquoted)
                case UInt8(ascii: "("):
                    if var frame = frames.popLast() {
                        frame.depth += 1
                        frames.append(frame)
                    }
                case UInt8(ascii: ")"):
                    if var frame = frames.popLast() {
                        if frame.depth > 0 {
                            frame.depth -= 1
                            frames.append(frame)
                        } else {
                            state = frame.resume
                        }
                    }
                case UInt8(ascii: "<") where next == UInt8(ascii: "<") && next2 != UInt8(ascii: "<"):
                    delimiter = ([], false, false, nil)
                    return 2
                default:
                    break
                }
            }
            return 1
        }

        /// `$(`, `$((` and `${` open nested text; a lone `$` is plain.
        private mutating func dollar(_ next: UInt8?, _ next2: UInt8?, resume: State) -> Int {
            switch next {
            case UInt8(ascii: "("):
                if next2 == UInt8(ascii: "(") {
                    frames.append(Frame(resume: resume, depth: 0))
                    state = .arithmetic(depth: 0)
                    return 3
                }
                // A command substitution: its text is read afresh, unquoted, until its `)`.
                frames.append(Frame(resume: resume, depth: 0))
                state = .unquoted
                return 2
            case UInt8(ascii: "{"):
                frames.append(Frame(resume: resume, depth: 0))
                state = .parameter(depth: 0)
                return 2
            case UInt8(ascii: "'") where resume == .unquoted:
                frames.append(Frame(resume: resume, depth: 0))
                state = .ansiC
                return 2
            default:
                return 1
            }
        }

        /// A closing quote returns to where the quote was opened.
        private mutating func resumeState() -> State {
            frames.popLast()?.resume ?? .unquoted
        }

        private mutating func readDelimiter(_ byte: UInt8) {
            guard var word = delimiter else { return }
            if !word.started && word.quote == nil {
                if byte == UInt8(ascii: "-") && !word.stripTabs {
                    word.stripTabs = true
                    delimiter = word
                    return
                }
                if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") { return }
            }
            if let quote = word.quote {
                if byte == quote { word.quote = nil } else { word.word.append(byte) }
            } else if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") {
                word.quote = byte
                word.started = true
            } else if byte == UInt8(ascii: "\\") {
                word.started = true
            } else if Self.isWordBreak(byte) {
                pendingHeredocs.append((word.word, word.stripTabs))
                delimiter = nil
                return
            } else {
                word.started = true
                word.word.append(byte)
            }
            delimiter = word
        }

        private mutating func startLine() {
            line = []
            if !pendingHeredocs.isEmpty {
                heredoc = pendingHeredocs.removeFirst()
                state = .heredoc
            }
        }

        private mutating func endHeredocLine() {
            var text = line[...]
            if heredoc?.stripTabs == true { text = text.drop { $0 == UInt8(ascii: "\t") } }
            line = []
            guard let current = heredoc, Array(text) == current.delimiter else { return }
            heredoc = nil
            state = .unquoted
            startLine()
        }
    }
}
