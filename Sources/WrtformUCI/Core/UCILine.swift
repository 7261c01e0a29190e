/// One logical line of a config file: the physical lines uci reads as one (a quote or a backslash can carry a
/// command over line ends), with its exact bytes and the commands it holds.
///
/// Logical lines read independently of each other, so the file's text is their concatenation and an edit can
/// replace, insert or remove whole lines without changing how any other line reads.
struct UCILine: Sendable {
    /// The exact bytes, line end included.
    var text: Substring
    var commands: [UCICommand]
    /// What follows the last command and is worth keeping when the command is rewritten: a trailing comment with the
    /// whitespace before it (empty when there is none).
    var comment: Substring
    /// "\n", "\r\n", or "" for a last line without line end.
    var eol: Substring
    /// Whether everything after the last command is whitespace, a comment and the line end, so the command's text can
    /// be rewritten alone and the rest kept.
    var plainSuffix: Bool

    init(text: Substring, commands: [UCICommand], comment: Substring, eol: Substring, plainSuffix: Bool) {
        self.text = text
        self.commands = commands
        self.comment = comment
        self.eol = eol
        self.plainSuffix = plainSuffix
    }

    /// A line written by an edit: one command rendered uci-style.
    init(rendered: String, command: UCICommand?, comment: Substring = "", eol: Substring) {
        self.text = Substring(rendered + comment + eol)
        self.commands = command.map { [$0] } ?? []
        self.comment = comment
        self.eol = eol
        self.plainSuffix = true
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
