import Foundation
import Testing

@testable import WrtformUCI

/// Edits change only the lines they must, written the way `uci commit` writes them.
@Suite("Editing is minimal")
struct EditingTests {
    private func edited(_ text: String, _ edit: (inout UCIFile) throws -> Void) throws -> String {
        var file = try UCIFile(parsing: text)
        try edit(&file)
        let again = try UCIFile(parsing: file.text)
        #expect(contents(again) == contents(file), "the edited text must read back as the edited model")
        return file.text
    }

    // MARK: set

    @Test func changingAnOptionRewritesOnlyItsLine() throws {
        let text = "config zone\n\toption name\t\twan\n\toption forward\t\tREJECT\n\toption masq\t\t1\n"
        let out = try edited(text) { try $0.set("forward", to: "DROP", in: $0.sections[0].id) }
        #expect(out == "config zone\n\toption name\t\twan\n\toption forward 'DROP'\n\toption masq\t\t1\n")
    }

    @Test func aTrailingCommentStays() throws {
        let out = try edited("config zone\n\toption forward REJECT # strict\n") {
            try $0.set("forward", to: "DROP", in: $0.sections[0].id)
        }
        #expect(out == "config zone\n\toption forward 'DROP' # strict\n")
    }

    @Test func valuesAreQuotedTheUciWay() throws {
        let out = try edited("config rule\n\toption name x\n") {
            try $0.set("name", to: "It's #1; \"ok\"\nnext", in: $0.sections[0].id)
        }
        #expect(out == "config rule\n\toption name 'It'\\''s #1; \"ok\"\nnext'\n")
    }

    @Test func aNewOptionGoesAfterTheLastOptionLine() throws {
        let text = "config a 'x'\n\toption p '1'\n\t# note about x\n\nconfig b\n\toption q '2'\n"
        let out = try edited(text) { try $0.set("r", to: "3", in: $0.section(named: "x")!.id) }
        #expect(out == "config a 'x'\n\toption p '1'\n\toption r '3'\n\t# note about x\n\nconfig b\n\toption q '2'\n")
    }

    @Test func aNewOptionInASectionWithoutOptions() throws {
        let out = try edited("config a\n\nconfig b\n") { try $0.set("x", to: "1", in: $0.sections[0].id) }
        #expect(out == "config a\n\toption x '1'\n\nconfig b\n")
        let atEnd = try edited("config a") { try $0.set("x", to: "1", in: $0.sections[0].id) }
        #expect(atEnd == "config a\n\toption x '1'\n")
    }

    @Test func removingAnOptionRemovesItsLines() throws {
        let text = "config a\n\toption x 1\n\tlist y a # first\n\toption z 2\n\tlist y b\n"
        #expect(
            try edited(text) { try $0.set("y", to: nil, in: $0.sections[0].id) }
                == "config a\n\toption x 1\n\toption z 2\n")
        #expect(
            try edited(text) { try $0.set("x", to: .single(""), in: $0.sections[0].id) }
                == "config a\n\tlist y a # first\n\toption z 2\n\tlist y b\n")
        #expect(
            try edited(text) { try $0.set("y", to: .list([]), in: $0.sections[0].id) }
                == "config a\n\toption x 1\n\toption z 2\n")
    }

    @Test func aListIsRewrittenWhereItStarts() throws {
        let text =
            "config zone\n\toption name wan\n\tlist   network\t\t'wan' # uplinks\n\toption input REJECT\n\tlist network wan6\n"
        let out = try edited(text) { try $0.set("network", to: ["wan", "wan6", "wanmap"], in: $0.sections[0].id) }
        #expect(
            out
                == "config zone\n\toption name wan\n\tlist network 'wan' # uplinks\n\tlist network 'wan6'\n\tlist network 'wanmap'\n\toption input REJECT\n"
        )
        let single = try edited(text) { try $0.set("network", to: "wan", in: $0.sections[0].id) }
        #expect(single == "config zone\n\toption name wan\n\toption network 'wan' # uplinks\n\toption input REJECT\n")
        let toList = try edited("config zone\n\toption network 'lan'\n") {
            try $0.set("network", to: ["lan"], in: $0.sections[0].id)
        }
        #expect(toList == "config zone\n\tlist network 'lan'\n")
    }

    @Test func duplicateLinesOfTheKeyCollapse() throws {
        let out = try edited("config a\n\toption k 1\n\toption b 2\n\toption k 3\n\toption k ''\n") {
            try $0.set("k", to: "4", in: $0.sections[0].id)
        }
        #expect(out == "config a\n\toption k '4'\n\toption b 2\n")
    }

    @Test func settingTheSameValueChangesNothing() throws {
        let text = try Fixtures.text("firewall-24.10-stock")
        var file = try UCIFile(parsing: text)
        let wan = try #require(file.sections(ofType: "zone", matching: ["name": "wan"]).first)
        try file.set("forward", to: "REJECT", in: wan.id)
        try file.set("network", to: ["wan", "wan6"], in: wan.id)
        try file.set("missing", to: nil, in: wan.id)
        #expect(sameBytes(file.text, text))
        // A list and a single value are different things to uci: this one does change.
        try file.set("forward", to: ["REJECT"], in: wan.id)
        #expect(!sameBytes(file.text, text))
    }

    @Test func commandsSharingALineAreSplitWhenTouched() throws {
        let out = try edited("config a\n\toption x '1'; option y '2' # c\nconfig b 'n'; option z 3\n") {
            try $0.set("y", to: "3", in: $0.sections[0].id)
        }
        #expect(out == "config a\n\toption x '1'\n\toption y '3' # c\nconfig b 'n'; option z 3\n")
    }

    @Test func aRedeclaredSectionGetsNewOptionsAtItsEnd() throws {
        let text = "config zone 'lan'\n\toption a 1\n\nconfig rule\n\nconfig zone 'lan'\n\toption b 2\n\nconfig rule\n"
        let out = try edited(text) { try $0.set("c", to: "3", in: $0.section(named: "lan")!.id) }
        #expect(
            out
                == "config zone 'lan'\n\toption a 1\n\nconfig rule\n\nconfig zone 'lan'\n\toption b 2\n\toption c '3'\n\nconfig rule\n"
        )
    }

    @Test func aLastLineThatWouldReadDifferentlyWithALineEndIsRewritten() throws {
        // `option x 'y';` at the very end is fine for uci, but `;` before a newline is an error, so the line that
        // must gain a newline is rewritten.
        let out = try edited("config a\noption x 'y';") { try $0.set("z", to: "1", in: $0.sections[0].id) }
        #expect(out == "config a\n\toption x 'y'\n\toption z '1'\n")
        let continued = try edited("config a\noption x y \\") { try $0.set("z", to: "1", in: $0.sections[0].id) }
        #expect(continued == "config a\n\toption x 'y'\n\toption z '1'\n")
    }

    @Test func crlfFilesStayCrlf() throws {
        let text = try Fixtures.text("odd-crlf")
        var file = try UCIFile(parsing: text)
        try file.set("proto", to: "dhcp", in: file.section(named: "lan")!.id)
        try file.set("hostname", to: "router", in: file.section(named: "wan")!.id)
        try file.addSection(type: "interface", name: "guest", options: [UCIOption("proto", "static")])
        #expect(file.text.contains("\toption proto 'dhcp'\r\n\t# address below\r\n"))
        #expect(
            file.text.hasSuffix(
                "\toption proto dhcp\r\n\toption hostname 'router'\r\n\r\nconfig interface 'guest'\r\n\toption proto 'static'\r\n"
            ))
        #expect(!file.text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        #expect(contents(try UCIFile(parsing: file.text)) == contents(file))
    }

    // MARK: deleteSection

    @Test func deletingRemovesTheSectionItsCommentAndOneBlankLine() throws {
        let text =
            "config rule\n\toption name A\n\n# Allow IPv4 ping\nconfig rule\n\toption name Ping\n\toption target ACCEPT\n\nconfig rule\n\toption name B\n"
        let out = try edited(text) { try $0.deleteSection($0.section(at: "@rule[1]")!.id) }
        #expect(out == "config rule\n\toption name A\n\nconfig rule\n\toption name B\n")
    }

    @Test func deletingInUciCommitStyle() throws {
        let text = "\nconfig a 'x'\n\toption p '1'\n\nconfig b 'y'\n\toption q '2'\n\nconfig c 'z'\n"
        #expect(
            try edited(text) { try $0.deleteSection($0.section(named: "x")!.id) }
                == "\nconfig b 'y'\n\toption q '2'\n\nconfig c 'z'\n")
        #expect(
            try edited(text) { try $0.deleteSection($0.section(named: "y")!.id) }
                == "\nconfig a 'x'\n\toption p '1'\n\nconfig c 'z'\n")
        #expect(
            try edited(text) { try $0.deleteSection($0.section(named: "z")!.id) }
                == "\nconfig a 'x'\n\toption p '1'\n\nconfig b 'y'\n\toption q '2'\n")
    }

    @Test func commentsThatAreNotAboveASectionStay() throws {
        // The comment after `defaults`' options (stock firewall) is part of the gap; the dense comment above `b`
        // is not separated by a blank line, so it is not taken to describe `b`.
        let text =
            "config defaults\n\toption input REJECT\n# Uncomment to disable ipv6\n#\toption disable_ipv6 1\n\nconfig a\n\toption x 1\n# dense\nconfig b\n\toption y 2\n"
        let out = try edited(text) { try $0.deleteSection($0.sections[2].id) }
        #expect(
            out
                == "config defaults\n\toption input REJECT\n# Uncomment to disable ipv6\n#\toption disable_ipv6 1\n\nconfig a\n\toption x 1\n# dense\n"
        )
        let first = try edited(text) { try $0.deleteSection($0.sections[0].id) }
        #expect(
            first
                == "# Uncomment to disable ipv6\n#\toption disable_ipv6 1\n\nconfig a\n\toption x 1\n# dense\nconfig b\n\toption y 2\n"
        )
    }

    @Test func deletingARedeclaredSectionRemovesEveryPiece() throws {
        let text = "config zone 'lan'\n\toption a 1\n\nconfig rule\n\nconfig zone 'lan'\n\toption b 2\n"
        #expect(try edited(text) { try $0.deleteSection($0.section(named: "lan")!.id) } == "config rule\n")
    }

    // MARK: addSection

    @Test func addingAtAPositionLandsBeforeThatSectionAndItsComment() throws {
        let text = "config rule\n\toption name A\n\n# Allow IPv4 ping\nconfig rule\n\toption name Ping\n"
        let out = try edited(text) { file in
            try file.addSection(
                type: "rule", name: "new", options: [UCIOption("name", "N"), UCIOption("proto", ["tcp", "udp"])], at: 1)
        }
        #expect(
            out
                == "config rule\n\toption name A\n\nconfig rule 'new'\n\toption name 'N'\n\tlist proto 'tcp'\n\tlist proto 'udp'\n\n# Allow IPv4 ping\nconfig rule\n\toption name Ping\n"
        )
        let first = try edited(text) { try $0.addSection(type: "defaults", name: nil, options: [], at: 0) }
        #expect(
            first
                == "config defaults\n\nconfig rule\n\toption name A\n\n# Allow IPv4 ping\nconfig rule\n\toption name Ping\n"
        )
        let dense = try edited("config a\n\toption x 1\nconfig b\n") {
            try $0.addSection(type: "c", name: nil, options: [], at: 1)
        }
        #expect(dense == "config a\n\toption x 1\n\nconfig c\n\nconfig b\n")
    }

    @Test func addingAtTheEnd() throws {
        let uciStyle = "\nconfig a 'x'\n\toption p '1'\n"
        #expect(
            try edited(uciStyle) { try $0.addSection(type: "b", name: "y", options: [UCIOption("q", "2")]) }
                == "\nconfig a 'x'\n\toption p '1'\n\nconfig b 'y'\n\toption q '2'\n")
        #expect(
            try edited("config a\n\toption p 1") { try $0.addSection(type: "b", name: nil, options: []) }
                == "config a\n\toption p 1\n\nconfig b\n")
        #expect(
            try edited("config a\n\n") { try $0.addSection(type: "b", name: nil, options: [], at: 1) }
                == "config a\n\nconfig b\n")
        var empty = UCIFile()
        let id = try empty.addSection(
            type: "interface", name: "lan", options: [UCIOption("proto", "static"), UCIOption("skip", "")])
        #expect(empty.text == "\nconfig interface 'lan'\n\toption proto 'static'\n")
        #expect(empty.section(id)?.options == [UCIOption("proto", "static")])
    }

    @Test func addedSectionsAreFoundAndCounted() throws {
        var file = try Fixtures.file("firewall-24.10-stock")
        let count = file.sections.count
        let id = try file.addSection(type: "zone", name: "wan_pppoe", options: [UCIOption("name", "wan_pppoe")], at: 3)
        #expect(file.sections.count == count + 1)
        #expect(file.section(id)?.index == 3)
        #expect(file.section(named: "wan_pppoe")?.id == id)
        #expect(file.section(at: "@forwarding[0]")?.index == 4)
        // Anonymous sections after it get uci's new cfg names, as uci would compute them on reload.
        #expect(file.section(at: "@forwarding[0]")?.uciName == "cfg05ad58")
    }

    // MARK: IDs and errors

    @Test func idsStayValidAcrossEdits() throws {
        var file = try Fixtures.file("luci-firewall")
        let before = file.sections
        try file.deleteSection(before[1].id)
        try file.addSection(type: "rule", name: nil, options: [UCIOption("name", "x")], at: 0)
        try file.set("name", to: "renamed", in: before[5].id)
        for section in before.dropFirst(2) {
            #expect(file.section(section.id)?.type == section.type)
        }
        #expect(file.section(before[1].id) == nil)
        #expect(file.section(before[5].id)?["name"] == .single("renamed"))
    }

    @Test func invalidEditsThrowAndChangeNothing() throws {
        var file = try Fixtures.file("network-24.10-stock")
        let original = file
        let lan = try #require(file.section(named: "lan")).id
        func expectError(_ kind: UCIError.Kind, _ edit: (inout UCIFile) throws -> Void) {
            do {
                try edit(&file)
                Issue.record("expected \(kind)")
            } catch {
                guard let error = error as? UCIError else {
                    Issue.record("not a UCIError: \(error)")
                    return
                }
                #expect(error.kind == kind)
                #expect(error.line == 0 && error.column == 0)
                #expect(!error.message.isEmpty)
            }
            #expect(file == original)
        }
        expectError(.invalidName) { try $0.set("bad-key", to: "1", in: lan) }
        expectError(.invalidValue) { try $0.set("key", to: "a\u{1}b", in: lan) }
        expectError(.invalidValue) { try $0.set("key", to: ["ok", "a\u{0}b"], in: lan) }
        expectError(.invalidType) { try $0.addSection(type: "has space", name: nil, options: []) }
        expectError(.invalidType) { try $0.addSection(type: "", name: nil, options: []) }
        expectError(.invalidName) { try $0.addSection(type: "interface", name: "wan-2", options: []) }
        expectError(.invalidName) { try $0.addSection(type: "interface", name: "cfg030f15", options: []) }
        expectError(.duplicateSection) { try $0.addSection(type: "interface", name: "lan", options: []) }
        expectError(.duplicateSection) { try $0.addSection(type: "zone", name: "globals", options: []) }
        expectError(.positionOutOfRange) { try $0.addSection(type: "interface", name: nil, options: [], at: 99) }
        expectError(.positionOutOfRange) { try $0.addSection(type: "interface", name: nil, options: [], at: -1) }
        expectError(.invalidValue) {
            try $0.addSection(type: "interface", name: nil, options: [UCIOption("a", "1"), UCIOption("a", "2")])
        }
        expectError(.invalidName) { try $0.addSection(type: "interface", name: nil, options: [UCIOption("a.b", "1")]) }
        var other = file
        try other.deleteSection(lan)
        expectError(.unknownSection) { try $0.set("x", to: "1", in: UCISection.ID(raw: 9999)) }
        expectError(.unknownSection) { try $0.deleteSection(UCISection.ID(raw: 9999)) }
        #expect(throws: UCIError.self) { try other.set("x", to: "1", in: lan) }
    }

    @Test func editErrorsNeverQuoteValues() throws {
        var file = try Fixtures.file("network-24.10-stock")
        let lan = try #require(file.section(named: "lan")).id
        let error = try #require(throws: UCIError.self) { try file.set("password", to: "hunter2\u{7}", in: lan) }
        #expect(!error.description.contains("hunter2"))
    }

    @Test func valuesEncodeAsStringsAndArrays() throws {
        let options: [String: UCIValue] = ["proto": "static", "ports": ["lan1", "lan2"]]
        let data = try JSONEncoder().encode(options)
        let json = String(decoding: data, as: UTF8.self)
        #expect(json.contains("\"proto\":\"static\""))
        #expect(json.contains("\"ports\":[\"lan1\",\"lan2\"]"))
        #expect(try JSONDecoder().decode([String: UCIValue].self, from: data) == options)
        #expect(UCIValue.list(["a", "b"]).values == ["a", "b"])
        #expect(UCIValue.single("a").values == ["a"])
        #expect(UCIValue.list(["a", "b"]).joined == "a b")
        #expect(UCIValue.single("x").matches(.list(["x"])))
        #expect(!UCIValue.single("x").matches(.list(["x", "y"])))
    }
}
