import ArgumentParser
import Foundation

/// The progress line on a terminal's stderr while wrtform waits on the router: a spinner, what it
/// waits for, and for how long. Every other line the command prints goes through `wrap`, which
/// erases the progress line first under the same lock: output never lands in the middle of it.
///
/// A ticking task redraws it every `interval` while an activity lasts; it is cancelled when the
/// last activity ends, and a tick that was already under way finds nothing to draw (the renderer
/// is idle), so no half-drawn line is left behind.
final class ProgressDisplay: @unchecked Sendable {
    private let lock = NSLock()
    private var renderer: ProgressRenderer
    private var ticker: Task<Void, Never>?
    private let write: @Sendable (String) -> Void
    private let now: @Sendable () -> Duration
    private let interval: Duration

    init(
        renderer: ProgressRenderer, interval: Duration = .milliseconds(100),
        now: @escaping @Sendable () -> Duration = ProgressDisplay.monotonic(),
        write: @escaping @Sendable (String) -> Void
    ) {
        self.renderer = renderer
        self.interval = interval
        self.now = now
        self.write = write
    }

    /// Seconds since this call, on the monotonic clock.
    static func monotonic() -> @Sendable () -> Duration {
        let clock = ContinuousClock()
        let origin = clock.now
        return { clock.now - origin }
    }

    /// A display for `command` on `console`, or nil: only when stderr is a terminal that can erase
    /// a line, and never for a JSON document or a fleet (whose hosts' output is buffered).
    static func make(for command: any ParsableCommand, console: Console) -> ProgressDisplay? {
        let json = (command as? any PrintsJSON)?.json ?? false
        guard console.showsProgress, !json, !(command is FleetCommand) else { return nil }
        let environment = console.environment
        let locale = environment["LC_ALL"] ?? environment["LC_CTYPE"] ?? environment["LANG"] ?? ""
        let unicode = locale.uppercased().contains("UTF-8") || locale.uppercased().contains("UTF8")
        return ProgressDisplay(
            renderer: ProgressRenderer(unicode: unicode, width: Self.columns(environment)), write: console.err)
    }

    /// The terminal's width (stderr's), else $COLUMNS, else 80.
    static func columns(_ environment: [String: String]) -> Int {
        var size = winsize()
        if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return environment["COLUMNS"].flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil } ?? 80
    }

    /// `console` with its output going through this display (the progress line erased first), and
    /// the display attached for the router wrapper and prompts to find.
    func console(_ console: Console) -> Console {
        var wrapped = console
        wrapped.out = wrap(console.out)
        wrapped.err = wrap(console.err)
        wrapped.progress = self
        return wrapped
    }

    func wrap(_ sink: @escaping @Sendable (String) -> Void) -> @Sendable (String) -> Void {
        { [self] text in
            lock.withLock {
                let erase = renderer.erase()
                if !erase.isEmpty { write(erase) }
                sink(text)
            }
        }
    }

    /// Shows `label` until the matching `end`; starts the ticking task if it is not running.
    func begin(_ label: String) {
        lock.withLock {
            emit(renderer.begin(VisibleText.escaped(label), at: now()))
            guard ticker == nil else { return }
            let interval = interval
            ticker = Task.detached { [weak self] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    guard !Task.isCancelled, let self else { return }
                    self.tick()
                }
            }
        }
    }

    func end() {
        lock.withLock {
            emit(renderer.end(at: now()))
            if renderer.isIdle { stopTicking() }
        }
    }

    func tick() {
        lock.withLock { emit(renderer.tick(at: now())) }
    }

    /// Runs `body` (a prompt waiting for typing) with the progress line erased and not redrawn.
    func paused<T>(_ body: () throws -> T) rethrows -> T {
        lock.withLock { emit(renderer.pause()) }
        defer { lock.withLock { renderer.resume() } }
        return try body()
    }

    /// The command is done: erase the line, stop the task, whatever was still shown.
    func finish() {
        lock.withLock {
            emit(renderer.finish())
            stopTicking()
        }
    }

    /// Whether a ticking task is running (for tests: it must stop when the last activity ends).
    var isTicking: Bool { lock.withLock { ticker != nil } }

    private func stopTicking() {
        ticker?.cancel()
        ticker = nil
    }

    private func emit(_ text: String) {
        if !text.isEmpty { write(text) }
    }
}
