import Testing

@testable import WrtformUCI

/// Arbitrary bytes, mutated fixtures and keyword soup: the parser never crashes or hangs, every input is either
/// read losslessly (and stays readable after an edit) or refused with a position inside the input.
@Suite("Fuzzing the parser")
struct ParserFuzzTests {
    static let syntaxBytes: [UInt8] =
        Array("'\"\\#; \t\n\n\r\u{0B}\u{0C}cfgloptionist_-.0aZ".utf8) + [0, 0xC3, 0xA9, 0xE6, 0x97, 0xA5, 0xFF, 0x80]
    static let fragments: [String] = [
        "config", "c", "option", "o", "list", "l", "package", "p", "conf", " ", " ", "\t", "\n", "\n",
        "\r\n", "\r", "\u{0B}", "a", "x_1", "lan", "a-b", "cfg01b606", "'", "\"", "\\", "\\\n", "#",
        "# c\n", ";", "; ", "''", "'v w'", "\"q\\\"r\"", "é", "*", "1",
    ]

    static func input(_ index: Int, _ fixtures: [[UInt8]], _ rng: inout SeededGenerator) -> [UInt8] {
        switch index % 4 {
        case 0:
            return (0..<Int.random(in: 0...300, using: &rng)).map { _ in
                Bool.random(using: &rng)
                    ? (syntaxBytes.randomElement(using: &rng) ?? 32) : UInt8.random(in: 0...255, using: &rng)
            }
        case 1, 2:
            // A piece of a fixture starting at one of its config lines, then mutated.
            let fixture = fixtures.randomElement(using: &rng) ?? []
            let starts =
                [0] + fixture.indices.filter { $0 > 0 && fixture[$0 - 1] == 10 && fixture[$0] == UInt8(ascii: "c") }
            let from = starts.randomElement(using: &rng) ?? 0
            var bytes = Array(fixture[from..<min(fixture.count, from + Int.random(in: 50...1200, using: &rng))])
            for _ in 0..<Int.random(in: 1...8, using: &rng) {
                let position = Int.random(in: 0...bytes.count, using: &rng)
                let byte = syntaxBytes.randomElement(using: &rng) ?? 32
                switch Int.random(in: 0..<5, using: &rng) {
                case 0: bytes.insert(byte, at: position)
                case 1: if position < bytes.count { bytes[position] = byte }
                case 2: if position < bytes.count { bytes.remove(at: position) }
                case 3:
                    let end = min(bytes.count, position + Int.random(in: 0...40, using: &rng))
                    bytes.insert(
                        contentsOf: Array(bytes[position..<end]), at: Int.random(in: 0...bytes.count, using: &rng))
                default: bytes.removeSubrange(position...)
                }
            }
            return bytes
        default:
            var text = Bool.random(using: &rng) ? "config a 'n'\n" : ""
            for _ in 0..<Int.random(in: 1...40, using: &rng) {
                text += fragments.randomElement(using: &rng) ?? " "
            }
            return Array(text.utf8)
        }
    }

    @Test func arbitraryInputNeverCrashesOrHangs() async throws {
        let fixtures = try Fixtures.names.map { Array(try Fixtures.text($0).utf8) }
        var rng = SeededGenerator(seed: 0xF022_2024)
        let runs = 20_000
        var accepted = 0
        var rejected = 0
        var edited = 0
        let clock = ContinuousClock()
        let start = clock.now
        for index in 0..<runs {
            // Long loops on 2 cores: let the tests waiting on timers and routers run between rounds.
            await Task.yield()
            let text = String(decoding: Self.input(index, fixtures, &rng), as: UTF8.self)
            let lines = text.utf8.reduce(1) { $1 == 10 ? $0 + 1 : $0 }
            var file: UCIFile
            do {
                file = try UCIFile(parsing: text, path: "fuzz")
            } catch {
                rejected += 1
                #expect(
                    error.line >= 1 && error.line <= lines && error.column >= 1, "\(error) for \(text.debugDescription)"
                )
                #expect(!error.message.isEmpty)
                continue
            }
            accepted += 1
            #expect(sameBytes(file.text, text))
            let again = try UCIFile(parsing: file.text)
            #expect(contents(again) == contents(file))
            if let section = file.sections.randomElement(using: &rng) {
                do {
                    try file.set("fuzz", to: .list(["it's", "#;\\\n"]), in: section.id)
                    try file.set(section.options.first?.key ?? "other", to: nil, in: section.id)
                    if Bool.random(using: &rng) {
                        try file.deleteSection(section.id)
                    } else {
                        try file.addSection(type: "fuzz", name: nil, options: [UCIOption("k", "v")], at: section.index)
                    }
                    edited += 1
                } catch {
                    Issue.record("edit of an accepted input failed: \(error) for \(text.debugDescription)")
                }
                #expect(contents(try UCIFile(parsing: file.text)) == contents(file))
                _ = UnifiedDiff.make(old: text, new: file.text, path: "fuzz")
            }
        }
        let elapsed = clock.now - start
        print(
            "fuzz: \(runs) inputs (random bytes, mutated fixtures, keyword soup): \(accepted) accepted (\(edited) edited), \(rejected) rejected, in \(elapsed)"
        )
        #expect(accepted + rejected == runs)
        #expect(accepted > runs / 20, "the fuzzer should also reach inputs that parse")
    }
}
