import ArgumentParser

/// What shapes a playbook's plan besides the playbook itself: overrides, a step selection, and
/// where it may read files. Shared by `PlaybookOptions` and apply's (whose playbook is optional).
struct PlaybookInputs: ParsableArguments {
    @Option(
        name: .customLong("var"),
        help: ArgumentHelp("Override a playbook variable: --var name=value (repeatable).", valueName: "name=value"))
    var vars: [String] = []

    @Option(
        name: .customLong("var-file"),
        help: ArgumentHelp(
            "Read overrides from a file of name=value lines (# comments); --var wins (repeatable).", valueName: "file"))
    var varFiles: [String] = []

    @Option(
        name: .customLong("step"),
        help: ArgumentHelp(
            "Only step ID and the steps it needs (repeatable; a for_each step's ID selects all its copies).",
            valueName: "id"))
    var steps: [String] = []

    @Flag(
        name: .customLong("allow-outside-templates"),
        help:
            "Let the playbook read templates and secret files outside its own directory (only for a playbook you trust)."
    )
    var allowOutsideTemplates = false
}
