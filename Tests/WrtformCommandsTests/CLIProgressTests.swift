import Foundation
import Testing
import VirtualRouter

@testable import WrtformCommands

/// The progress line while wrtform waits on the router: drawn on a terminal's stderr only, erased
/// before every other line, never with --json or off a terminal.
@Suite struct CLIProgressTests {
    static let clear = "\r\u{1B}[K"
    static let frames = ProgressRenderer.unicodeFrames + ProgressRenderer.asciiFrames

    /// Whether `stream` (stdout and stderr as a terminal shows them) never has output written onto
    /// a progress line, and ends without one: on each line, what follows the last erase is not a
    /// progress drawing.
    static func leavesNoProgressLine(_ stream: String) -> Bool {
        let lines = stream.components(separatedBy: "\n")
        return lines.allSatisfy { line in
            let last = line.components(separatedBy: clear).last ?? line
            return !frames.contains { last.hasPrefix($0 + " ") && last.contains("…") }
        }
    }

    /// Whether `stream` holds a drawing of `label` (with any spinner frame).
    static func drawn(_ label: String, in stream: String) -> Bool {
        frames.contains { stream.contains(clear + $0 + " " + label) }
    }

    static func hasControlBytes(_ text: String) -> Bool {
        text.contains("\r") || text.contains("\u{1B}")
    }

    /// Runs the CLI in-process with one stream for both outputs and progress allowed, as on a terminal.
    static func runOnTerminal(_ arguments: [String], environment: [String: String]) async -> (Int32, String) {
        let screen = ProgressDisplayTests.Recorder()
        let console = Console(
            out: screen.append, err: screen.append, environment: environment, showsProgress: true)
        let code = await Console.$current.withValue(console) { await Wrtform.run(arguments: arguments) }
        return (code, screen.all)
    }

    @Test func offATerminalAndWithJSONNothingIsDrawn() async throws {
        try await withVirtualRouter { router in
            let target = CLI.target(router)
            let piped = await CLI.run(["plan", CLI.ocn] + target)
            #expect(piped.code == 2, "\(piped.all)")
            #expect(!Self.hasControlBytes(piped.all), "\(piped.all.debugDescription)")
            #expect(!piped.stderr.contains("connecting to"))
            var environment = CLI.environment()
            environment["LANG"] = "C.UTF-8"
            let (code, json) = await Self.runOnTerminal(["plan", CLI.ocn, "--json"] + target, environment: environment)
            #expect(code == 2)
            #expect(!Self.hasControlBytes(json), "\(json.debugDescription)")
            #expect(!json.contains("connecting to"))
            #expect(json.hasPrefix("{"))
        }
    }

    @Test func onATerminalEachWaitIsShownAndErased() async throws {
        let state = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: state) }
        try await withVirtualRouter { router in
            let target = CLI.target(router)
            var environment = CLI.environment(state: state)
            environment["LANG"] = "C.UTF-8"
            let address = "\(router.host):\(router.port)"
            let (planCode, plan) = await Self.runOnTerminal(["plan", CLI.ocn] + target, environment: environment)
            #expect(planCode == 2, "\(plan)")
            #expect(plan.contains("connecting to \(address) (timeout 10 s)\n"), "\(plan.debugDescription)")
            #expect(Self.drawn("connecting to \(address)…", in: plan), "\(plan.debugDescription)")
            #expect(Self.drawn("reading root@\(address)…", in: plan))
            #expect(plan.contains("Plan: 12 to add, 0 to change, 0 to remove."))
            #expect(Self.leavesNoProgressLine(plan), "\(plan.debugDescription)")

            let (applyCode, apply) = await Self.runOnTerminal(
                ["apply", CLI.ocn, "--yes"] + target, environment: environment)
            #expect(applyCode == 0, "\(apply)")
            #expect(Self.drawn("writing ", in: apply), "\(apply.debugDescription)")
            #expect(apply.contains("confirming run "), "\(apply.debugDescription)")
            // The verify opens a connection of its own: said again.
            #expect(apply.components(separatedBy: "connecting to \(address) (timeout 10 s)\n").count == 3)
            #expect(apply.contains("Applied run "))
            #expect(Self.leavesNoProgressLine(apply), "\(apply.debugDescription)")
            #expect(!CLI.containsSecret(apply))

        }
    }
}
