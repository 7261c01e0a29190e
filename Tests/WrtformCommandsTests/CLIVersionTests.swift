import Foundation
import Testing
import VirtualRouter
import WrtformEngine

@testable import WrtformCommands

/// `--version`, the version in every JSON document, and help that argument-parser can wrap.
@Suite struct CLIVersionTests {
    @Test func versionFlag() async throws {
        let result = await CLI.run(["--version"])
        #expect(result.code == 0, "\(result.stderr)")
        #expect(result.stdout == "wrtform \(WrtformVersion.current)\n")
    }

    @Test func jsonDocumentsCarryTheVersion() async throws {
        try await withVirtualRouter { router in
            for arguments in [["facts", "--json"], ["history", "--json"]] {
                let result = await CLI.run(arguments + CLI.target(router))
                #expect(result.code == 0, "\(result.stderr)")
                let document = try #require(
                    try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
                #expect(document["wrtform_version"] as? String == WrtformVersion.current, "\(arguments)")
            }
        }
    }

    /// Sentences are never broken by a hard newline in the discussion: argument-parser wraps them
    /// again, leaving a line ending mid-sentence ("…journal, a" / "watchdog on the router…").
    /// Examples stay lines of their own.
    @Test func helpHasNoHardBreaksInsideSentences() throws {
        // Every command, those added later too.
        let configurations = [Wrtform.configuration] + Wrtform.configuration.subcommands.map { $0.configuration }
        for configuration in configurations {
            let name = configuration.commandName ?? "wrtform"
            for paragraph in configuration.discussion.components(separatedBy: "\n\n") {
                if paragraph.hasPrefix("Example") {
                    #expect(paragraph.contains("\n  wrtform "), "\(name)")
                } else {
                    #expect(!paragraph.contains("\n"), "\(name): \(paragraph)")
                }
            }
        }
    }
}
