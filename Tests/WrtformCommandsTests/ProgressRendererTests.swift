import Foundation
import Testing

@testable import WrtformCommands

/// The progress line's states, fed with events and times (no terminal, no clock).
@Suite struct ProgressRendererTests {
    static let clear = "\r\u{1B}[K"

    @Test func beginDrawsAtOnceAndEndErases() {
        var renderer = ProgressRenderer(unicode: true, width: 80)
        #expect(renderer.begin("reading root@r", at: .zero) == Self.clear + "⠋ reading root@r…")
        #expect(renderer.drawn)
        #expect(renderer.end(at: .milliseconds(300)) == Self.clear)
        #expect(!renderer.drawn)
        #expect(renderer.isIdle)
        // Nothing on the screen: nothing to erase, nothing to draw.
        #expect(renderer.erase().isEmpty)
        #expect(renderer.tick(at: .seconds(1)).isEmpty)
        #expect(renderer.end(at: .seconds(1)).isEmpty)
    }

    @Test func ticksTurnTheSpinnerAndCountSecondsFromOne() {
        var renderer = ProgressRenderer(unicode: false, width: 80)
        _ = renderer.begin("writing 3 file(s)", at: .seconds(5))
        #expect(renderer.tick(at: .milliseconds(5100)) == Self.clear + "/ writing 3 file(s)…")
        #expect(renderer.tick(at: .milliseconds(5900)) == Self.clear + "- writing 3 file(s)…")
        #expect(renderer.tick(at: .milliseconds(6000)) == Self.clear + "\\ writing 3 file(s)… (1 s)")
        #expect(renderer.tick(at: .seconds(17)) == Self.clear + "| writing 3 file(s)… (12 s)")
    }

    @Test func nestedActivitiesShowTheInnermostThenTheOuterAgain() {
        var renderer = ProgressRenderer(unicode: false, width: 80)
        _ = renderer.begin("reading r", at: .zero)
        #expect(renderer.begin("connecting to 10.0.0.1:22", at: .zero) == Self.clear + "| connecting to 10.0.0.1:22…")
        #expect(renderer.tick(at: .seconds(3)) == Self.clear + "/ connecting to 10.0.0.1:22… (3 s)")
        // Back to the read, with its own elapsed time.
        #expect(renderer.end(at: .seconds(4)) == Self.clear + "/ reading r… (4 s)")
        #expect(renderer.end(at: .seconds(5)) == Self.clear)
    }

    @Test func outputErasesAndTheNextTickRedraws() {
        var renderer = ProgressRenderer(unicode: false, width: 80)
        _ = renderer.begin("reading r", at: .zero)
        #expect(renderer.erase() == Self.clear)
        #expect(renderer.erase().isEmpty)
        #expect(renderer.tick(at: .milliseconds(100)) == Self.clear + "/ reading r…")
    }

    @Test func pausedDrawsNothingUntilResumed() {
        var renderer = ProgressRenderer(unicode: false, width: 80)
        _ = renderer.begin("connecting to r", at: .zero)
        #expect(renderer.pause() == Self.clear)
        #expect(renderer.tick(at: .seconds(1)).isEmpty)
        #expect(renderer.begin("reading r", at: .seconds(1)).isEmpty)
        renderer.resume()
        #expect(renderer.tick(at: .seconds(2)) == Self.clear + "/ reading r… (1 s)")
    }

    @Test func longLabelsFitTheWidth() {
        var renderer = ProgressRenderer(unicode: false, width: 30)
        let drawn = renderer.begin(String(repeating: "x", count: 100), at: .zero)
        #expect(drawn.hasPrefix(Self.clear))
        #expect(drawn.dropFirst(Self.clear.count).count < 30)
        #expect(drawn.hasSuffix("x…"))
        #expect(renderer.finish() == Self.clear)
        #expect(renderer.isIdle)
    }
}

/// The display around the renderer: output erases the line first, the ticking task stops.
@Suite struct ProgressDisplayTests {
    final class Recorder: @unchecked Sendable {
        private let lock = NSLock()
        private var text = ""
        func append(_ more: String) { lock.withLock { text += more } }
        var all: String { lock.withLock { text } }
    }

    @Test func outputNeverLandsOnTheProgressLine() async throws {
        let screen = Recorder()
        let display = ProgressDisplay(
            renderer: ProgressRenderer(unicode: false, width: 80), interval: .seconds(3600), now: { .zero },
            write: screen.append)
        let out = display.wrap(screen.append)
        display.begin("reading r")
        #expect(display.isTicking)
        out("line one\n")
        display.tick()
        out("line two\n")
        display.end()
        #expect(!display.isTicking)
        // A tick after the end (one already under way when the task was cancelled) draws nothing.
        display.tick()
        let expected =
            "\r\u{1B}[K| reading r…" + "\r\u{1B}[K" + "line one\n" + "\r\u{1B}[K/ reading r…" + "\r\u{1B}[K"
            + "line two\n"
        // The task's own ticks are an hour apart: every tick here is the test's.
        #expect(screen.all == expected, "\(screen.all.debugDescription)")
        #expect(CLIProgressTests.leavesNoProgressLine(screen.all))
    }

    @Test func finishErasesAndStops() {
        let screen = Recorder()
        let display = ProgressDisplay(
            renderer: ProgressRenderer(unicode: false, width: 80), now: { .zero }, write: screen.append)
        display.begin("writing")
        display.begin("connecting")
        display.finish()
        #expect(!display.isTicking)
        #expect(screen.all.hasSuffix("\r\u{1B}[K"))
        #expect(CLIProgressTests.leavesNoProgressLine(screen.all))
    }
}
