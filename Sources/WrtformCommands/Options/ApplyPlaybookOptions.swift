import ArgumentParser

/// apply's playbook options: those of `PlaybookOptions`, with the playbook optional, because
/// `apply --plan FILE` finds it in the plan.
struct ApplyPlaybookOptions: ParsableArguments {
    @Argument(help: "The playbook (YAML); with --plan, by default the one the plan was made from.")
    var playbook: String?

    @OptionGroup var inputs: PlaybookInputs

    var vars: [String] { inputs.vars }
    var varFiles: [String] { inputs.varFiles }
    var steps: [String] { inputs.steps }
    var allowOutsideTemplates: Bool { inputs.allowOutsideTemplates }

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
