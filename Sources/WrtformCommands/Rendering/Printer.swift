/// Prints for one command: scrubs secrets, colors only where the console allows.
struct Printer: Sendable {
    var console: Console
    var scrubber: Scrubber

    init(console: Console = Console.current, secrets: [String] = []) {
        self.console = console
        self.scrubber = Scrubber(secrets: secrets)
    }

    enum Style: String {
        case add = "32"
        case change = "33"
        case remove = "31"
        case bold = "1"
        case dim = "2"
        case hunk = "36"
    }

    func styled(_ text: String, _ style: Style) -> String {
        console.useColor ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
    }

    func line(_ text: String = "") {
        console.out(scrubber.clean(text) + "\n")
    }

    /// Errors: one line saying what is wrong, then details. They quote what the router said and
    /// held: control characters are shown, never sent to the terminal (`VisibleText`).
    func error(_ text: String, details: [String] = []) {
        console.err(VisibleText.escaped(scrubber.clean("error: " + text)) + "\n")
        for detail in details { console.err(VisibleText.escaped(scrubber.clean("  " + detail)) + "\n") }
    }

    func warning(_ text: String) {
        console.err(styled("warning:", .change) + " " + VisibleText.escaped(scrubber.clean(text)) + "\n")
    }
}
