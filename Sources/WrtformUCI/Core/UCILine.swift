/// One logical line of a config file: the physical lines uci reads as one (a quote or a backslash can carry a
/// command over line ends), with its exact bytes and the commands it holds.
///
/// Logical lines read independently of each other, so the file's text is their concatenation and an edit can
/// replace, insert or remove whole lines without changing how any other line reads.
struct UCILine: Sendable {
    /// The exact bytes, line end included.
    var text: Substring
    var commands: [UCICommand]
    /// What follows the last command and is kept when the line's commands are rewritten: a trailing comment with the
    /// whitespace before it. Empty when there is none, or when anything else follows the last command (a `;`, a
    /// backslash), which a rewrite drops.
    var comment: Substring
    /// "\n", "\r\n", or "" for a last line without line end.
    var eol: Substring

    init(text: Substring, commands: [UCICommand], comment: Substring, eol: Substring) {
        self.text = text
        self.commands = commands
        self.comment = comment
        self.eol = eol
    }

    /// A line written by an edit: one command rendered uci-style.
    init(rendered: String, command: UCICommand?, comment: Substring = "", eol: Substring) {
        self.text = Substring(rendered + comment + eol)
        self.commands = command.map { [$0] } ?? []
        self.comment = comment
        self.eol = eol
    }

    /// Only whitespace: uci skips it.
    var isBlank: Bool {
        commands.isEmpty && text.utf8.allSatisfy(UCISyntax.isSpace)
    }

    /// A comment line (no command, not blank).
    var isComment: Bool {
        commands.isEmpty && !isBlank
    }
}
