import Foundation
import Testing

@testable import WrtformEngine

/// The engine's quoting for the scripts it sends (Shell.quote), by byte: `'` + U+0301 is one
/// Character, and a Character split left that quote unescaped.
@Suite struct ShellQuoteTests {
    @Test func aQuoteWithACombiningMarkIsEscaped() throws {
        let shell = try TemplateQuotingTests.Shell()
        defer { shell.remove() }
        for value in [
            "x'\u{301}; touch \(shell.marker); : '\u{301}", "a'b", "'", "é\u{301}'\u{200D}'",
            "\r\n'$(touch \(shell.marker))'",
        ] {
            let script = "V=\(Shell.quote(value))\n"
            let values = try shell.runHook(script, variables: ["V"])
            #expect(values.first == Array(value.utf8), "\(value.debugDescription) did not come back")
            #expect(!FileManager.default.fileExists(atPath: shell.marker))
        }
    }
}
