import Testing

@testable import WrtformUCI

/// Random documents in every style uci reads, random edit sequences: after each edit the text reads back as exactly
/// the edited model, and only the edited section's bytes changed. Seeded, so every run checks the same cases.
@Suite("Edits, property-based")
struct EditPropertyTests {
    struct Reference: Equatable {
        var id: UCISection.ID?
        var type: String
        var name: String?
        var options: [UCIOption]
    }

    // MARK: Generating documents

    static let alphabet: [String] = [
        "a", "b", "z", "0", "9", " ", "\t", "'", "\"", "\\", "#", ";", "\n", "é", "日", "😀", "-", "=", "/", "$",
    ]
    static let keys = ["name", "src", "dest", "proto", "target", "network", "ipaddr", "password", "k_1", "x"]
    static let types = ["zone", "rule", "interface", "redirect", "forwarding", "wifi-iface", "a.b*c", "q'x"]
    static let names = ["lan", "wan", "guest", "s1", "s2", "x_y", "Zone9", "wanppp"]

    static func randomValue(_ rng: inout SeededGenerator, allowEmpty: Bool) -> String {
        let count = Int.random(in: (allowEmpty ? 0 : 1)...7, using: &rng)
        return (0..<count).map { _ in alphabet.randomElement(using: &rng) ?? "a" }.joined()
    }

    static func randomOptionValue(_ rng: inout SeededGenerator) -> UCIValue {
        if Int.random(in: 0..<3, using: &rng) == 0 {
            return .list((0..<Int.random(in: 1...4, using: &rng)).map { _ in randomValue(&rng, allowEmpty: true) })
        }
        return .single(randomValue(&rng, allowEmpty: false))
    }

    /// One argument that decodes to `value`, in a random mix of uci's quoting styles.
    static func encode(_ value: String, _ rng: inout SeededGenerator) -> String {
        if value.isEmpty { return ["''", "\"\""].randomElement(using: &rng) ?? "''" }
        let characters = Array(value)
        var pieces: [[Character]] = []
        var index = 0
        while index < characters.count {
            let length = Int.random(in: 1...max(1, characters.count - index), using: &rng)
            pieces.append(Array(characters[index..<min(characters.count, index + length)]))
            index += length
        }
        if Bool.random(using: &rng) { pieces = [characters] }
        return pieces.map { piece in
            switch Int.random(in: 0..<3, using: &rng) {
            case 0:
                return UCIRenderer.quoted(String(piece))
            case 1:
                return "\""
                    + piece.map { character -> String in
                        if character == "\"" || character == "\\" { return "\\" + String(character) }
                        if character.isASCII && character != "\n" && Int.random(in: 0..<6, using: &rng) == 0 {
                            return "\\" + String(character)
                        }
                        return String(character)
                    }.joined() + "\""
            default:
                return piece.map { character -> String in
                    if character == "\n" { return "'\n'" }
                    if [" ", "\t", "'", "\"", "\\", "#", ";"].contains(character) { return "\\" + String(character) }
                    return String(character)
                }.joined()
            }
        }.joined()
    }

    static func separator(_ rng: inout SeededGenerator) -> String {
        [" ", " ", "\t", "  ", "\t\t"].randomElement(using: &rng) ?? " "
    }

    static func keyToken(_ key: String, _ rng: inout SeededGenerator) -> String {
        switch Int.random(in: 0..<5, using: &rng) {
        case 0: return "'\(key)'"
        case 1: return "\"\(key)\""
        default: return key
        }
    }

    /// A document and the sections it means.
    static func document(_ rng: inout SeededGenerator) -> (text: String, sections: [Reference]) {
        let eol = Int.random(in: 0..<4, using: &rng) == 0 ? "\r\n" : "\n"
        var text = ""
        if Bool.random(using: &rng) { text += "# header comment" + eol }
        if Int.random(in: 0..<4, using: &rng) == 0 { text += "package firewall" + eol }
        var sections: [Reference] = []
        var usedNames: Set<String> = []
        for _ in 0..<Int.random(in: 0...7, using: &rng) {
            let type = types.randomElement(using: &rng) ?? "zone"
            var name: String?
            if Bool.random(using: &rng),
                let candidate = names.filter({ !usedNames.contains($0) }).randomElement(using: &rng)
            {
                name = candidate
                usedNames.insert(candidate)
            }
            var options: [UCIOption] = []
            for key in keys.shuffled(using: &rng).prefix(Int.random(in: 0...5, using: &rng)) {
                options.append(UCIOption(key, randomOptionValue(&rng)))
            }
            sections.append(Reference(id: nil, type: type, name: name, options: options))

            text += String(repeating: eol, count: Int.random(in: 0...2, using: &rng))
            if Int.random(in: 0..<4, using: &rng) == 0 { text += "# about the next section" + eol }
            var header = (Bool.random(using: &rng) ? "config" : "c") + separator(&rng) + encode(type, &rng)
            if let name { header += separator(&rng) + encode(name, &rng) }
            // Commands of the section, some joined on one line with " ; ".
            var commands: [String] = []
            for option in options {
                switch option.value {
                case .single(let value):
                    if Int.random(in: 0..<8, using: &rng) == 0 {
                        commands.append("option \(option.key) " + encode(randomValue(&rng, allowEmpty: false), &rng))
                    }
                    commands.append(
                        (Bool.random(using: &rng) ? "option" : "o") + separator(&rng) + keyToken(option.key, &rng)
                            + separator(&rng) + encode(value, &rng))
                case .list(let items):
                    for item in items {
                        commands.append(
                            (Bool.random(using: &rng) ? "list" : "l") + separator(&rng) + keyToken(option.key, &rng)
                                + separator(&rng) + encode(item, &rng))
                    }
                }
                if Int.random(in: 0..<10, using: &rng) == 0 { commands.append("option unused ''") }
            }
            // (Only after a name: in `config TYPE ; ...` the ';' stands in the name's place and uci then finds one
            // word too many.)
            if name != nil && !commands.isEmpty && Int.random(in: 0..<6, using: &rng) == 0 {
                header += " ; " + commands.removeFirst()
            }
            if Int.random(in: 0..<6, using: &rng) == 0 { header += " # header" }
            text += header + eol
            var index = 0
            while index < commands.count {
                let indent = ["\t", "  ", "", "\t\t"].randomElement(using: &rng) ?? "\t"
                var line = indent + commands[index]
                index += 1
                if index < commands.count && Int.random(in: 0..<6, using: &rng) == 0 {
                    line += " ; " + commands[index]
                    index += 1
                }
                if Int.random(in: 0..<6, using: &rng) == 0 { line += " # note" }
                text += line + eol
                if Int.random(in: 0..<8, using: &rng) == 0 { text += indent + "# between options" + eol }
            }
        }
        if Int.random(in: 0..<5, using: &rng) == 0 { text += eol + "# trailing comment" + eol }
        if Int.random(in: 0..<4, using: &rng) == 0 && text.utf8.last == 10 {
            text.removeLast() // no final line end ("\r\n" is one Character)
        }
        return (text, sections)
    }

    // MARK: Checking

    /// A section's text without the comment lines above it and without a final line end: what no edit of another
    /// section may change (appending after a last line without line end adds one).
    static func ownLines(_ text: String?) -> [[UInt8]] {
        var lines =
            Array(text ?? "").isEmpty
            ? [] : (text ?? "").utf8.split(separator: 10, omittingEmptySubsequences: false).map(Array.init)
        while let first = lines.first, first.drop(while: { $0 == 32 || $0 == 9 }).first == UInt8(ascii: "#") {
            lines.removeFirst()
        }
        if lines.last == [] { lines.removeLast() }
        if var last = lines.popLast() {
            if last.last == 13 { last.removeLast() }
            lines.append(last)
        }
        return lines
    }

    static func strip(_ file: UCIFile) -> [Reference] {
        file.sections.map { Reference(id: $0.id, type: $0.type, name: $0.name, options: $0.options) }
    }

    /// The line of `bytes` that ends at `end` (exclusive), if it is blank.
    static func blankLine(endingAt end: Int, in bytes: [UInt8]) -> Range<Int>? {
        guard end > 0, bytes[end - 1] == 10 else { return nil }
        var start = end - 1
        while start > 0 && bytes[start - 1] != 10 { start -= 1 }
        return bytes[start..<(end - 1)].allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 || $0 == 11 || $0 == 12 })
            ? start..<end : nil
    }

    /// The line of `bytes` that starts at `start`, if it is blank.
    static func blankLine(startingAt start: Int, in bytes: [UInt8]) -> Range<Int>? {
        var end = start
        while end < bytes.count && bytes[end] != 10 { end += 1 }
        guard end < bytes.count else { return nil }
        return bytes[start..<end].allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 || $0 == 11 || $0 == 12 })
            ? start..<(end + 1) : nil
    }

    static func removing(_ ranges: [Range<Int>], from bytes: [UInt8]) -> [UInt8] {
        var out = bytes
        for range in ranges.sorted(by: { $0.lowerBound > $1.lowerBound }) {
            out.removeSubrange(range)
        }
        return out
    }

    /// `bigger` is `smaller` plus the bytes at `range`, give or take one blank line on each side of it.
    static func differsOnlyBy(_ range: Range<Int>, bigger: [UInt8], smaller: [UInt8], smallerMayLackLineEnd: Bool)
        -> Bool
    {
        let before = blankLine(endingAt: range.lowerBound, in: bigger)
        let after = blankLine(startingAt: range.upperBound, in: bigger)
        let choices: [[Range<Int>]] = [
            [range], [range] + (before.map { [$0] } ?? []), [range] + (after.map { [$0] } ?? []),
            [range] + (before.map { [$0] } ?? []) + (after.map { [$0] } ?? []),
        ]
        for choice in choices {
            let cut = removing(choice, from: bigger)
            if cut == smaller { return true }
            if smallerMayLackLineEnd && (cut == smaller + [10] || cut == smaller + [13, 10]) { return true }
        }
        return false
    }

    @Test func randomEditsReadBackAndStayLocal() async throws {
        var rng = SeededGenerator(seed: 0x5EED_0C0F)
        var counts: [String: Int] = [:]
        let documents = 400
        for documentIndex in 0..<documents {
            // Long loops on 2 cores: let the tests waiting on timers and routers run between rounds.
            await Task.yield()
            let (text, intended) = Self.document(&rng)
            var file: UCIFile
            do {
                file = try UCIFile(parsing: text)
            } catch {
                Issue.record("document \(documentIndex) did not parse: \(error)\n\(text.debugDescription)")
                print("UNPARSED \(error)\n\(text.debugDescription)")
                continue
            }
            #expect(sameBytes(file.text, text))
            var reference = Self.strip(file)
            #expect(
                reference.map { Reference(id: nil, type: $0.type, name: $0.name, options: $0.options) } == intended,
                "document \(documentIndex) read differently than written:\n\(text.debugDescription)")

            for _ in 0..<Int.random(in: 1...12, using: &rng) {
                let before = file
                let oldBytes = Array(before.text.utf8)
                var kind = Int.random(in: 0..<7, using: &rng)
                if reference.isEmpty { kind = 4 }
                let position = Int.random(in: 0..<max(1, reference.count), using: &rng)
                var touched: UCISection.ID?
                var label = ""
                switch kind {
                case 0, 1, 2, 3, 6:
                    let section = reference[position]
                    let id = try #require(section.id)
                    touched = id
                    let existing = section.options.randomElement(using: &rng)
                    var newValue: UCIValue?
                    var key: String
                    if kind == 1 || existing == nil {
                        key =
                            Self.keys.filter { k in !section.options.contains { $0.key == k } }.randomElement(
                                using: &rng) ?? "extra"
                        if section.options.contains(where: { $0.key == key }) { key = "extra_\(documentIndex)" }
                        newValue = Self.randomOptionValue(&rng)
                        label = "set new"
                    } else if kind == 2, let existing {
                        key = existing.key
                        newValue = nil
                        label = "remove"
                    } else if kind == 3, let existing {
                        key = existing.key
                        newValue = existing.value
                        label = "same value"
                    } else if kind == 6, let existing {
                        key = existing.key
                        newValue = Bool.random(using: &rng) ? .single("") : .list([])
                        label = "set empty"
                    } else {
                        key = existing?.key ?? "x"
                        newValue = Self.randomOptionValue(&rng)
                        label = "change"
                    }
                    try file.set(key, to: newValue, in: id)
                    let effective: UCIValue? = (newValue == .single("") || newValue == .list([])) ? nil : newValue
                    if let index = reference[position].options.firstIndex(where: { $0.key == key }) {
                        if let effective {
                            reference[position].options[index].value = effective
                        } else {
                            reference[position].options.remove(at: index)
                        }
                    } else if let effective {
                        reference[position].options.append(UCIOption(key, effective))
                    }
                case 4:
                    let type = Self.types.randomElement(using: &rng) ?? "zone"
                    let used = Set(reference.compactMap(\.name))
                    let name =
                        Bool.random(using: &rng)
                        ? Self.names.filter { !used.contains($0) }.randomElement(using: &rng) : nil
                    var options: [UCIOption] = []
                    for key in Self.keys.shuffled(using: &rng).prefix(Int.random(in: 0...3, using: &rng)) {
                        options.append(UCIOption(key, Self.randomOptionValue(&rng)))
                    }
                    let at: Int? = Bool.random(using: &rng) ? Int.random(in: 0...reference.count, using: &rng) : nil
                    let id = try file.addSection(type: type, name: name, options: options, at: at)
                    touched = id
                    reference.insert(
                        Reference(id: id, type: type, name: name, options: options), at: at ?? reference.count)
                    label = at == nil ? "add at end" : "add at position"
                default:
                    let id = try #require(reference[position].id)
                    touched = id
                    try file.deleteSection(id)
                    reference.remove(at: position)
                    label = "delete"
                }
                counts[label, default: 0] += 1

                // 1. The model is the edited reference, and the text reads back as exactly that.
                #expect(Self.strip(file) == reference, "\(label) in document \(documentIndex)")
                let reread = try UCIFile(parsing: file.text)
                #expect(
                    Self.strip(reread).map { Reference(id: nil, type: $0.type, name: $0.name, options: $0.options) }
                        == reference.map { Reference(id: nil, type: $0.type, name: $0.name, options: $0.options) },
                    "\(label) in document \(documentIndex): text reads back differently\n\(file.text.debugDescription)")

                // 2. Only the edited section's bytes changed.
                let newBytes = Array(file.text.utf8)
                let id = try #require(touched)
                switch label {
                case "same value":
                    #expect(newBytes == oldBytes, "a no-op set changed the text")
                case "delete":
                    let ranges = before.byteRanges(of: id)
                    #expect(ranges.count == 1)
                    #expect(
                        Self.differsOnlyBy(
                            ranges[0], bigger: oldBytes, smaller: newBytes, smallerMayLackLineEnd: false),
                        "delete changed more than the section:\n\(before.text.debugDescription)\n→\n\(file.text.debugDescription)"
                    )
                case "add at end", "add at position":
                    let ranges = file.byteRanges(of: id)
                    #expect(ranges.count == 1)
                    #expect(
                        Self.differsOnlyBy(
                            ranges[0], bigger: newBytes, smaller: oldBytes, smallerMayLackLineEnd: oldBytes.last != 10),
                        "add changed more than the new section:\n\(before.text.debugDescription)\n→\n\(file.text.debugDescription)"
                    )
                default:
                    let old = before.byteRanges(of: id)
                    let new = file.byteRanges(of: id)
                    #expect(old.count == 1 && new.count == 1)
                    if let old = old.first, let new = new.first {
                        // Everything before the section's old text and everything after it is unchanged (the
                        // section's own range may shrink when its last option goes, or grow by a new option).
                        let after = oldBytes.count - old.upperBound
                        #expect(old.lowerBound == new.lowerBound)
                        #expect(Array(oldBytes[..<old.lowerBound]) == Array(newBytes.prefix(old.lowerBound)))
                        #expect(
                            newBytes.count - after >= old.lowerBound
                                && Array(oldBytes.suffix(after)) == Array(newBytes.suffix(after)),
                            "\(label) changed bytes after the section:\n\(before.text.debugDescription)\n→\n\(file.text.debugDescription)"
                        )
                    }
                }
                // 3. Every other section keeps its ID and its lines (comment lines above a section count as its own
                // only while a blank line sets them off, which an edit next to them can change).
                for other in before.sections where other.id != id {
                    #expect(Self.ownLines(file.text(of: other.id)) == Self.ownLines(before.text(of: other.id)))
                }
            }
        }
        print(
            "edit property: \(documents) documents, edits: \(counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))"
        )
    }
}
