/// A config file uci would not load as written, or an edit that cannot be made.
///
/// Carries what is wrong and what to do (`message`), where (`path`, 1-based `line` and `column`; both 0 for an edit,
/// which is not about a place in the text) and a `kind` to match on. Messages never quote option values, which may be
/// secrets.
public struct UCIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, as a small extensible set of values (compare with `==`).
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        public let description: String

        init(_ description: String) {
            self.description = description
        }

        /// A line starts with something other than package, config, option, list (or p, c, o, l) or a comment.
        public static let unknownKeyword = Kind("unknown keyword")
        /// config without a type, option or list without a name, package without a name.
        public static let missingArgument = Kind("missing argument")
        /// More words on a line than the command takes.
        public static let tooManyArguments = Kind("too many arguments")
        /// A section, option or package name with characters outside [A-Za-z0-9_] (package also allows -).
        public static let invalidName = Kind("invalid name")
        /// A section type with a character outside printable ASCII 33-126.
        public static let invalidType = Kind("invalid type")
        /// A ' or " quote never closed before the end of the file.
        public static let unterminatedQuote = Kind("unterminated quote")
        /// option or list before the first config line.
        public static let optionOutsideSection = Kind("option outside a section")
        /// A named section declared again with another type.
        public static let sectionTypeConflict = Kind("section type conflict")
        /// Text uci would silently ignore (after a ';' that directly follows an unquoted value).
        public static let ignoredText = Kind("ignored text")
        /// A ';' with nothing after it but the line end, which uci rejects.
        public static let trailingSemicolon = Kind("trailing semicolon")
        /// A NUL byte: config files are text.
        public static let nulByte = Kind("NUL byte")
        /// An edit names a section this file does not have (any more).
        public static let unknownSection = Kind("unknown section")
        /// An edit would add a section whose name is already taken.
        public static let duplicateSection = Kind("duplicate section")
        /// An edit would write a value uci cannot hold (control characters, NUL).
        public static let invalidValue = Kind("invalid value")
        /// An edit gives a section position outside the file.
        public static let positionOutOfRange = Kind("position out of range")
        /// An edit whose result would not read back as intended; the file is left unchanged.
        public static let inconsistentEdit = Kind("inconsistent edit")
    }

    public var kind: Kind
    public var path: String
    /// 1-based; 0 when the error is about an edit rather than a place in the text.
    public var line: Int
    /// 1-based, in characters (Unicode scalars) from the start of the line; 0 with `line` 0.
    public var column: Int
    /// What is wrong, what was expected, what to do.
    public var message: String

    public init(kind: Kind, path: String, line: Int, column: Int, message: String) {
        self.kind = kind
        self.path = path
        self.line = line
        self.column = column
        self.message = message
    }

    /// "path:line:column: message", or "path: message" for an edit.
    public var description: String {
        let file = path.isEmpty ? "<config>" : path
        if line > 0 {
            return "\(file):\(line):\(column): \(message)"
        }
        return "\(file): \(message)"
    }
}
