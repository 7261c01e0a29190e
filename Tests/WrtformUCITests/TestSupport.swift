import Foundation
import Testing

@testable import WrtformUCI

/// Deterministic random numbers (SplitMix64), so every randomized test runs the same inputs each time.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/uci")

    static var names: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { !$0.hasPrefix(".") }
            .sorted()
    }

    /// The fixture's exact bytes as a String (fixtures are UTF-8).
    static func text(_ name: String) throws -> String {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        let text = String(decoding: data, as: UTF8.self)
        #expect(Array(text.utf8) == Array(data), "fixture \(name) is not UTF-8")
        return text
    }

    static func file(_ name: String) throws -> UCIFile {
        try UCIFile(parsing: text(name), path: "/etc/config/\(name)")
    }
}

/// Byte equality, never String's Unicode-canonical equality.
func sameBytes(_ a: String, _ b: String) -> Bool {
    a.utf8.elementsEqual(b.utf8)
}

/// What a section means, without its ID: for comparing separately parsed files.
struct SectionContent: Equatable, CustomStringConvertible {
    var type: String
    var name: String?
    var options: [UCIOption]

    init(_ section: UCISection) {
        type = section.type
        name = section.name
        options = section.options
    }

    init(type: String, name: String?, options: [UCIOption]) {
        self.type = type
        self.name = name
        self.options = options
    }

    var description: String {
        "config \(type) \(name ?? "-") " + options.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }
}

func contents(_ file: UCIFile) -> [SectionContent] {
    file.sections.map(SectionContent.init)
}
