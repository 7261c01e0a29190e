/// What the progress line on a terminal shows, as the exact text to write, computed from events
/// and the times they happen. It has no terminal and no clock of its own, so its states are tested
/// without either; `ProgressDisplay` feeds it and writes what it returns.
///
/// Activities nest (connecting happens inside the first read): the innermost one is shown, and
/// when it ends the one around it is shown again with its own elapsed time.
struct ProgressRenderer: Sendable {
    /// Back to the start of the line, erase to its end: leaves no half-drawn line behind.
    static let clear = "\r\u{1B}[K"
    static let unicodeFrames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]
    static let asciiFrames = ["|", "/", "-", "\\"]

    struct Activity: Sendable, Equatable {
        var label: String
        var since: Duration
    }

    let frames: [String]
    /// Columns the line may use: a line that wraps could not be erased by `clear`.
    var width: Int
    private(set) var activities: [Activity] = []
    /// Whether a progress line is on the screen now (and must be erased before anything else).
    private(set) var drawn = false
    /// While paused (a prompt waits for typing) nothing is drawn.
    private(set) var paused = 0
    private var frame = 0

    init(unicode: Bool = true, width: Int = 80) {
        frames = unicode ? Self.unicodeFrames : Self.asciiFrames
        self.width = width
    }

    var isIdle: Bool { activities.isEmpty }

    /// The line for the innermost activity: frame, label, and the seconds it has taken from 1 s on.
    func line(at now: Duration) -> String? {
        guard let activity = activities.last else { return nil }
        let seconds = (now - activity.since).components.seconds
        let elapsed = seconds >= 1 ? " (\(seconds) s)" : ""
        var text = "\(frames[frame % frames.count]) \(activity.label)…"
        let room = max(width - 1 - elapsed.count, 8)
        if text.count > room { text = String(text.prefix(room - 1)) + "…" }
        return text + elapsed
    }

    /// Starts an activity and shows it at once.
    mutating func begin(_ label: String, at now: Duration) -> String {
        activities.append(Activity(label: label, since: now))
        return redraw(at: now)
    }

    /// Ends the innermost activity: the one around it is shown again, or the line is erased.
    mutating func end(at now: Duration) -> String {
        guard !activities.isEmpty else { return "" }
        activities.removeLast()
        return activities.isEmpty ? erase() : redraw(at: now)
    }

    /// The next frame, while there is something to show.
    mutating func tick(at now: Duration) -> String {
        guard !activities.isEmpty, paused == 0 else { return "" }
        frame += 1
        return redraw(at: now)
    }

    /// Erases the line (before other output); the next tick draws it again.
    mutating func erase() -> String {
        guard drawn else { return "" }
        drawn = false
        return Self.clear
    }

    /// Stops drawing until `resume` (a prompt's line must stay as it is while someone types).
    mutating func pause() -> String {
        paused += 1
        return erase()
    }

    mutating func resume() {
        paused = max(paused - 1, 0)
    }

    /// Everything ended at once (the command is done, or failed mid-activity).
    mutating func finish() -> String {
        activities.removeAll()
        return erase()
    }

    private mutating func redraw(at now: Duration) -> String {
        guard paused == 0, let text = line(at: now) else { return "" }
        drawn = true
        return Self.clear + text
    }
}
