import Testing

@testable import WrtformUCI

/// Input uci refuses is refused, with the line and column of the culprit and what was expected.
@Suite("Rejections carry line and column")
struct RejectionTests {
    struct Case: CustomStringConvertible, Sendable {
        var input: String
        var kind: UCIError.Kind
        var line: Int
        var column: Int
        var note: String
        var description: String { note }
    }

    static let cases: [Case] = [
        // Unterminated quotes point at the opening quote.
        Case(input: "config a\noption x 'abc\n", kind: .unterminatedQuote, line: 2, column: 10, note: "single quote"),
        Case(
            input: "config a\n\toption x \"abc\n\nmore\n", kind: .unterminatedQuote, line: 2, column: 11,
            note: "double quote"),
        Case(
            input: "config a\noption x 'ok\nstill'\noption y 'bad\nend\n", kind: .unterminatedQuote, line: 4,
            column: 10, note: "after a closed multi-line quote"),
        Case(
            input: "config a\noption x \"a\\\"\n", kind: .unterminatedQuote, line: 2, column: 10,
            note: "escaped double quote does not close"),
        Case(input: "config a\r\noption x 'y\r\n", kind: .unterminatedQuote, line: 2, column: 10, note: "CRLF"),
        Case(
            input: "config a\noption x 'é' 'ü\n", kind: .unterminatedQuote, line: 2, column: 14,
            note: "columns count characters"),
        // Names.
        Case(input: "config zone 'la-n'\n", kind: .invalidName, line: 1, column: 13, note: "section name with -"),
        Case(
            input: "config zone\n\toption na.me x\n", kind: .invalidName, line: 2, column: 9, note: "option name with ."
        ),
        Case(input: "config a\noption é 'x'\n", kind: .invalidName, line: 2, column: 8, note: "non-ASCII option name"),
        Case(input: "package fire.wall\n", kind: .invalidName, line: 1, column: 9, note: "package name"),
        Case(input: "config 'a b'\n", kind: .invalidType, line: 1, column: 8, note: "type with a space"),
        // Structure.
        Case(
            input: "\n# c\noption x y\n", kind: .optionOutsideSection, line: 3, column: 1,
            note: "option before any section"),
        Case(input: "  list x y\n", kind: .optionOutsideSection, line: 1, column: 3, note: "list before any section"),
        Case(input: "config\n", kind: .missingArgument, line: 1, column: 7, note: "config without type"),
        Case(input: "config \n", kind: .missingArgument, line: 1, column: 7, note: "config and a space"),
        Case(input: "config", kind: .missingArgument, line: 1, column: 7, note: "config at end of file"),
        Case(input: "config ''\n", kind: .missingArgument, line: 1, column: 8, note: "empty type"),
        Case(input: "config a\n\toption\n", kind: .missingArgument, line: 2, column: 8, note: "option without name"),
        Case(input: "config a\nlist   \n", kind: .missingArgument, line: 2, column: 5, note: "list without name"),
        Case(input: "package\n", kind: .missingArgument, line: 1, column: 8, note: "package without name"),
        Case(input: "config a\n\topt x y\n", kind: .unknownKeyword, line: 2, column: 2, note: "unknown keyword"),
        Case(input: "Config a\n", kind: .unknownKeyword, line: 1, column: 1, note: "keywords are lowercase"),
        Case(input: "config a\n'option' x y\n", kind: .unknownKeyword, line: 2, column: 1, note: "quoted keyword"),
        Case(
            input: "config zone lan extra\n", kind: .tooManyArguments, line: 1, column: 17,
            note: "config with three words"),
        Case(
            input: "config a\noption x y z\n", kind: .tooManyArguments, line: 2, column: 12,
            note: "unquoted value with a space"),
        Case(
            input: "config a\noption x 'a b' c\n", kind: .tooManyArguments, line: 2, column: 16,
            note: "word after a quoted value"),
        Case(
            input: "config a ; option x 1\n", kind: .tooManyArguments, line: 1, column: 12,
            note: "';' in the name's place"),
        Case(
            input: "config interface 'lan'\n\nconfig zone 'lan'\n", kind: .sectionTypeConflict, line: 3, column: 13,
            note: "same name, other type"),
        Case(input: "config a 'n';\n", kind: .trailingSemicolon, line: 1, column: 13, note: "trailing ';'"),
        Case(input: "config a\noption x 'y' ;\n", kind: .trailingSemicolon, line: 2, column: 14, note: "trailing ' ;'"),
        // uci would accept these but lose text: refused so nothing is dropped silently.
        Case(
            input: "config a\noption x y;option z w\n", kind: .ignoredText, line: 2, column: 11,
            note: "';' right after an unquoted value"),
        Case(input: "config a\u{0}\n", kind: .nulByte, line: 1, column: 9, note: "NUL byte"),
    ]

    @Test(arguments: cases)
    func rejected(_ item: Case) {
        #expect {
            _ = try UCIFile(parsing: item.input, path: "/etc/config/test")
        } throws: { error in
            guard let error = error as? UCIError else { return false }
            #expect(error.kind == item.kind, "\(item.note): \(error)")
            #expect(error.line == item.line, "\(item.note): \(error)")
            #expect(error.column == item.column, "\(item.note): \(error)")
            #expect(error.path == "/etc/config/test")
            #expect(!error.message.isEmpty)
            return error.kind == item.kind && error.line == item.line && error.column == item.column
        }
    }

    @Test func descriptionIsPathLineColumnMessage() throws {
        let error = try #require(throws: UCIError.self) {
            try UCIFile(parsing: "config a\noption x 'abc\n", path: "/etc/config/firewall")
        }
        #expect(error.description.hasPrefix("/etc/config/firewall:2:10: unterminated ' quote"))
    }

    @Test func messagesNeverQuoteValues() throws {
        let error = try #require(throws: UCIError.self) {
            try UCIFile(parsing: "config interface 'wanppp'\n\toption password hunter2 secret2\n")
        }
        #expect(error.kind == .tooManyArguments)
        #expect(!error.description.contains("hunter2"))
        #expect(!error.description.contains("secret2"))
    }

    /// Accepted by uci, so accepted here: things that look wrong but are not errors.
    @Test func acceptedLikeUci() throws {
        #expect(try UCIFile(parsing: "config a\noption x\n").sections[0].options.isEmpty)
        #expect(try UCIFile(parsing: "config a;\n").sections.count == 1)
        #expect(try UCIFile(parsing: "config a\noption x 1;\n").sections[0]["x"] == .single("1"))
        #expect(try UCIFile(parsing: "config a\noption x '1';").sections[0]["x"] == .single("1"))
        #expect(try UCIFile(parsing: "config a\noption x y; # comment\n").sections[0]["x"] == .single("y"))
    }
}
