import Foundation
import Testing
import WrtformEngine
import WrtformPlaybook

/// YAML aliases are bounded as they expand; a mapping is checked in time linear in its keys.
@Suite struct LoaderLimitsTests {
    /// Ten levels of ten-item lists, each aliasing the previous: 10^10 values once expanded.
    static var laughs: String {
        var lines = ["vars:", "  l0: &l0 [a, b, c, d, e, f, g, h, i, j]"]
        for level in 1..<10 {
            let previous = Array(repeating: "*l\(level - 1)", count: 10).joined(separator: ", ")
            lines.append("  l\(level): &l\(level) [\(previous)]")
        }
        lines += ["steps:", "  - id: x", "    for_each: l9", "    file: { path: /etc/x, content: \"{{ item }}\" }", ""]
        return lines.joined(separator: "\n")
    }

    @Test func aliasExpansionStopsWithALocatedError() throws {
        let clock = ContinuousClock()
        let started = clock.now
        let error = try Loader.error(Self.laughs)
        let elapsed = clock.now - started
        #expect(error.description.hasPrefix("ocn.yml:"))
        #expect(
            error.description.contains("the YAML holds more than 100000 values once its aliases are expanded"),
            "\(error.description)")
        #expect(error.location?.line ?? 0 >= 2)
        print("alias bomb refused after \(elapsed)")
        // Through an inventory too.
        let directory = try LoaderDirectory()
        defer { directory.remove() }
        let inventory = try directory.write(
            "hosts.yml", Self.laughs.replacingOccurrences(of: "vars:", with: "hosts: { r: { host: 127.0.0.1 } }\nx:"))
        let inventoryError = try #require(throws: EngineError.self) { try Inventory.load(path: inventory) }
        #expect(inventoryError.description.contains("once its aliases are expanded"))
    }

    @Test func aliasedTextIsBoundedByItsSize() throws {
        let megabyte = String(repeating: "x", count: 1_000_000)
        let yaml =
            "vars:\n  big: &big \(megabyte)\n  copies: [" + Array(repeating: "*big", count: 11).joined(separator: ", ")
            + "]\nsteps: []\n"
        let error = try Loader.error(yaml)
        #expect(
            error.description.contains("the YAML holds more than 10 MB of text once its aliases are expanded"),
            "\(error.description.prefix(200))")
        // A few aliases of small values still load.
        let small = try Loader.load("vars:\n  a: &a [x, y]\n  b: *a\nsteps: []\n")
        #expect(small.vars["b"]?.value == small.vars["a"]?.value)
    }

    /// Validation time for mappings of 10k and 40k keys (printed, not asserted: 0.4 s and 3.5 s
    /// before, quadratic). A duplicate key is still found, at its second place.
    @Test func largeMappingsLoadInLinearTime() throws {
        let clock = ContinuousClock()
        for count in [10_000, 40_000] {
            let keys = (0..<count).map { "  v\($0): \($0)" }.joined(separator: "\n")
            let started = clock.now
            let playbook = try Loader.load("vars:\n\(keys)\nsteps: []\n")
            print("mapping of \(count) keys loaded in \(clock.now - started)")
            #expect(playbook.vars.count == count)
        }
        let duplicate = try Loader.error("vars:\n  a: 1\n  b: 2\n  a: 3\nsteps: []\n")
        #expect(duplicate.description == "ocn.yml:4:3: 'a' appears twice in this mapping (first at line 2)")
    }
}

extension LoaderLimitsTests {
    /// Time to render file content with 100,000 placeholders (printed, not asserted): each
    /// placeholder's line and column used to be worked out by reading the text from its start.
    @Test func contentWithManyPlaceholdersRendersInOnePass() throws {
        let lines = String(repeating: "X='{{ a }}' # {{ a }}\n", count: 50_000)
        let clock = ContinuousClock()
        let started = clock.now
        let playbook = try Loader.load(
            "vars:\n  a: \"it's\"\nsteps:\n  - id: f\n    file: { path: /etc/x.sh, template: t }\n", files: ["t": lines]
        )
        print("template with 100000 placeholders rendered in \(clock.now - started)")
        let content = try #require(Loader.scalar(Loader.step(playbook, "f").input.fields["content"]))
        #expect(content.hasPrefix("X='it'\\''s' # it's\n"))
    }
}
