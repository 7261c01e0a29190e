import Testing

@testable import WrtformUCI

/// How values and commands read, case by case, as libuci reads them (each case was checked against libuci's own
/// parser while writing these tests).
@Suite("Parsing follows uci")
struct ParserSemanticsTests {
    private func value(_ line: String, _ key: String = "x") throws -> UCIValue? {
        try UCIFile(parsing: "config t\n" + line).sections.first?[key]
    }

    @Test func quotingAndEscapes() throws {
        #expect(try value("option x bare\n") == .single("bare"))
        #expect(try value("option x 'single quoted'\n") == .single("single quoted"))
        #expect(try value("option x \"double quoted\"\n") == .single("double quoted"))
        #expect(try value("option x 'it'\\''s'\n") == .single("it's"))
        #expect(try value("option x 'a'\"b\"c\n") == .single("abc"))
        #expect(try value("option x a\\ b\n") == .single("a b"))
        #expect(try value("option x \"a\\\"b\\\\c\\n\"\n") == .single("a\"b\\cn"))
        #expect(try value("option x 'back\\slash'\n") == .single("back\\slash"))
        #expect(try value("option x 'a #b ;c'\n") == .single("a #b ;c"))
        #expect(try value("option x \"# not a comment\"\n") == .single("# not a comment"))
        #expect(try value("option x abc#def\n") == .single("abc"))
        #expect(try value("option x abc # comment\n") == .single("abc"))
        #expect(try value("option 'x' \"v\"\n") == .single("v"))
        #expect(try value("option x '日本語'\n") == .single("日本語"))
    }

    @Test func valuesAcrossLines() throws {
        #expect(try value("option x 'a\nb'\n") == .single("a\nb"))
        #expect(try value("option x \"a\nb\"\n") == .single("a\nb"))
        // A backslash at the end of a line continues the line (inside double quotes too) and vanishes.
        #expect(try value("option x a\\\nb\n") == .single("ab"))
        #expect(try value("option x \"a\\\nb\"\n") == .single("ab"))
        #expect(try value("option x y\\\r\nz\r\n") == .single("yz"))
        // Continued onto an indented line, the word ends there and the rest is another word.
        #expect(throws: UCIError.self) { try value("option x a\\\n b\n") }
        // A backslash before the line end after the value continues onto an empty line: nothing more.
        #expect(try value("option x 'a'\\\n\n") == .single("a"))
    }

    @Test func shortKeywordsSeparatorsAndWhitespace() throws {
        let file = try UCIFile(parsing: "c t 'n'\no a 1\nl b 2\np pkg\n\tconfig\tu\t'm'\t\n\toption\tx\u{0B}1\n")
        #expect(file.sections.map(\.type) == ["t", "u"])
        #expect(file.section(named: "n")?.options == [UCIOption("a", "1"), UCIOption("b", ["2"])])
        #expect(file.section(named: "m")?["x"] == .single("1"))
        let joined = try UCIFile(parsing: "config t 'n' ; option a 1 ; option b '2';option c 3\n")
        #expect(joined.section(named: "n")?.options == [UCIOption("a", "1"), UCIOption("b", "2"), UCIOption("c", "3")])
        // After an empty argument uci reads the rest of the line as the next command.
        let empty = try UCIFile(parsing: "config t\noption a b '' list c d\n")
        #expect(empty.sections.first?.options == [UCIOption("a", "b"), UCIOption("c", ["d"])])
    }

    @Test func crlfLineEnds() throws {
        let file = try UCIFile(parsing: "config t 'n'\r\n\toption a 'b'\r\n\toption c d\r\n\r\n")
        #expect(file.section(named: "n")?.options == [UCIOption("a", "b"), UCIOption("c", "d")])
    }

    @Test func duplicateOptionsLastWinsInFirstPlace() throws {
        let file = try UCIFile(parsing: "config t\noption a 1\noption b 2\noption a 3\n")
        #expect(file.sections[0].options == [UCIOption("a", "3"), UCIOption("b", "2")])
    }

    @Test func listAfterOptionAndOptionAfterList() throws {
        let file = try UCIFile(
            parsing: "config t\noption a 1\nlist a 2\noption b 3\nlist c 4\noption d 5\noption c 6\n")
        #expect(
            file.sections[0].options == [
                UCIOption("a", ["1", "2"]), UCIOption("b", "3"),
                UCIOption("c", "6"), UCIOption("d", "5"),
            ])
    }

    @Test func emptyValues() throws {
        // `option x ''` and `option x` do nothing while loading, even when x is set; an empty list item is kept.
        let file = try UCIFile(parsing: "config t\noption a 1\noption a ''\noption b\nlist c ''\nlist d\n")
        #expect(file.sections[0].options == [UCIOption("a", "1"), UCIOption("c", [""]), UCIOption("d", [""])])
    }

    @Test func sectionsNamedAnonymousAndRedeclared() throws {
        let file = try UCIFile(parsing: "config a 'b'\noption x 1\nconfig a\nconfig a 'b'\noption y 2\nconfig z ''\n")
        #expect(file.sections.count == 3)
        #expect(file.section(named: "b")?.options == [UCIOption("x", "1"), UCIOption("y", "2")])
        #expect(file.sections[1].isAnonymous)
        #expect(file.sections[1].uciName == "cfg02b606")
        #expect(file.sections[2].isAnonymous)
        // A named section whose name is an anonymous section's generated name reopens that section, as in uci.
        let aliased = try UCIFile(parsing: "config a\nconfig a 'cfg01b606'\noption x 1\n")
        #expect(aliased.sections.count == 1)
        #expect(aliased.sections[0].isAnonymous)
        #expect(aliased.sections[0]["x"] == .single("1"))
    }

    @Test func packageLinesAreCheckedAndIgnored() throws {
        let file = try UCIFile(parsing: "package network\nconfig t\npackage 'fire-wall'\noption x 1\n")
        #expect(file.sections.count == 1)
        #expect(file.sections[0]["x"] == .single("1"))
    }

    @Test func typesMayHoldPrintableCharacters() throws {
        let file = try UCIFile(parsing: "config a-b.c*d\nconfig 'q\"t'\n")
        #expect(file.sections.map(\.type) == ["a-b.c*d", "q\"t"])
    }

    @Test func commentsBlankLinesAndEmptyFile() throws {
        #expect(try UCIFile(parsing: "").sections.isEmpty)
        #expect(try UCIFile(parsing: "\n\n  \t\n# only comments\n  # indented\n#config t\n").sections.isEmpty)
        #expect(
            try UCIFile(parsing: "config t # trailing\n  # between\noption x 1 # after\n").sections[0]["x"]
                == .single("1"))
        #expect(try UCIFile(parsing: "config t").sections.count == 1)
    }

    @Test func referencesAsUciAddressesThem() throws {
        let file = try UCIFile(parsing: "config zone 'lan'\nconfig zone\nconfig rule\nconfig zone\n")
        #expect(file.section(at: "lan")?.index == 0)
        #expect(file.section(at: "@zone[0]")?.index == 0)
        #expect(file.section(at: "@zone[1]")?.index == 1)
        #expect(file.section(at: "@zone[-1]")?.index == 3)
        #expect(file.section(at: "@zone[-3]")?.index == 0)
        #expect(file.section(at: "@zone[3]") == nil)
        #expect(file.section(at: "@zone[-4]") == nil)
        #expect(file.section(at: "@rule[0]")?.index == 2)
        #expect(file.section(at: "@[2]")?.type == "rule")
        #expect(file.section(at: "@zone[x]") == nil)
        #expect(file.section(at: "@zone") == nil)
        #expect(file.section(at: "nope") == nil)
        #expect(file.section(at: file.sections[1].uciName)?.index == 1)
    }

    @Test func matchingTreatsSingleAndOneItemListAlike() throws {
        let file = try UCIFile(
            parsing:
                "config zone\noption name lan\nlist network lan\nconfig zone\noption name wan\noption network 'wan'\n")
        #expect(file.sections(ofType: "zone", matching: ["network": "lan"]).map(\.index) == [0])
        #expect(file.sections(ofType: "zone", matching: ["network": ["wan"]]).map(\.index) == [1])
        #expect(file.sections(ofType: "zone", matching: ["name": "wan", "network": "lan"]).isEmpty)
        #expect(file.sections(ofType: "zone", matching: [:]).count == 2)
        #expect(file.sections(ofType: "rule", matching: [:]).isEmpty)
    }
}
