import ArgumentParser

/// apply's playbook options: those of `PlaybookOptions`, with the playbook optional, because
/// `apply --plan FILE` finds it in the plan.
struct ApplyPlaybookOptions: ParsableArguments {
    @Argument(help: "The playbook (YAML); with --plan, by default the one the plan was made from.")
    var playbook: String?

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

    /// Any option that shapes the plan, which `--plan` takes from the plan instead.
    var shapesThePlan: Bool { !vars.isEmpty || !varFiles.isEmpty || !steps.isEmpty || allowOutsideTemplates }

    /// As the other commands take them (the playbook is there: `validate` saw to it).
    func options() throws -> PlaybookOptions {
        try Self.options(
            playbook: playbook ?? "", vars: vars, varFiles: varFiles, steps: steps,
            allowOutsideTemplates: allowOutsideTemplates)
    }

    static func options(
        playbook: String, vars: [String], varFiles: [String], steps: [String], allowOutsideTemplates: Bool
    ) throws -> PlaybookOptions {
        // `--var=VALUE`: a value starting with "-" is not taken for an option.
        var arguments = vars.map { "--var=" + $0 } + varFiles.map { "--var-file=" + $0 }
        arguments += steps.map { "--step=" + $0 } + (allowOutsideTemplates ? ["--allow-outside-templates"] : [])
        return try PlaybookOptions.parse(arguments + ["--", playbook])
    }
}
