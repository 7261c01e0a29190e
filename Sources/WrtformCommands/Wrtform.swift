import ArgumentParser
import WrtformEngine

/// The root command. Each subcommand lives in its own file as a small extension of it,
/// so the executable stays a few lines and tests drive commands directly.
public struct Wrtform: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "wrtform",
        abstract: "Plan, apply and roll back OpenWrt configuration over SSH.",
        discussion: """
            A playbook (YAML) says what the router should have; wrtform reads the router in one round trip, \
            shows the exact changes as diffs (plan), writes them with a journal and a router-side watchdog \
            (apply), and can undo them later without clobbering edits made since (rollback).
            """,
        version: "wrtform \(WrtformVersion.current)",
        subcommands: [
            ValidateCommand.self, PlanCommand.self, ApplyCommand.self, ConfirmCommand.self, AbortCommand.self,
            RollbackCommand.self, HistoryCommand.self, GraphCommand.self, FactsCommand.self, DoctorCommand.self,
            DestroyCommand.self, StateCommand.self, ImportCommand.self, CompletionCommand.self, FleetCommand.self,
        ]
    )

    public init() {}

    /// Parses and runs a command line, printing through `Console.current`; returns the exit code.
    public static func run(arguments: [String]) async -> Int32 {
        let console = Console.current
        if let unknown = unknownCommand(arguments) {
            console.err("error: \(unknown)\n")
            return WrtformExit.failure
        }
        if let fleet = FleetShortcut.rewrite(arguments, environment: console.environment) {
            return await run(arguments: fleet)
        }
        do {
            let command = try parseAsRoot(arguments)
            try await execute(command, console: console)
            return WrtformExit.success
        } catch let exit as ExitWith {
            return exit.code
        } catch {
            let code = exitCode(for: error).rawValue
            let message =
                code == ExitCode.validationFailure.rawValue
                ? usageError(message(for: error), arguments: arguments) : fullMessage(for: error)
            if code == 0 {
                console.out(message + "\n")
            } else {
                console.err(message + "\n")
            }
            return code == 0 ? 0 : WrtformExit.failure
        }
    }

    /// Runs a parsed command; on a terminal with a progress line, erased before anything else is
    /// printed and gone (its task stopped) when the command ends, however it ends.
    static func execute(_ command: any ParsableCommand, console: Console) async throws {
        guard let display = ProgressDisplay.make(for: command, console: console) else {
            return try await runParsed(command)
        }
        defer { display.finish() }
        try await Console.$current.withValue(display.console(console)) { try await runParsed(command) }
    }

    private static func runParsed(_ command: any ParsableCommand) async throws {
        var command = command
        if var asyncCommand = command as? AsyncParsableCommand {
            try await asyncCommand.run()
        } else {
            try command.run()
        }
    }

    /// A bad command line as one line, like every other error: the parser's own form is three lines
    /// ("Error: …", the usage, "See …") and capitalised unlike the rest.
    static func usageError(_ message: String, arguments: [String]) -> String {
        let names = configuration.subcommands.compactMap { $0.configuration.commandName }
        let command = arguments.first.flatMap { names.contains($0) ? "wrtform \($0)" : nil } ?? "wrtform"
        let line = message.split(whereSeparator: \.isNewline).first.map(String.init) ?? message
        return "error: \(line) (see '\(command) --help')"
    }

    /// "'aply' is not a wrtform command (did you mean 'apply'?)" for a mistyped subcommand, where
    /// the parser would only say that an argument was unexpected.
    static func unknownCommand(_ arguments: [String]) -> String? {
        guard let first = arguments.first, !first.hasPrefix("-") else { return nil }
        let names = configuration.subcommands.compactMap { $0.configuration.commandName } + ["help"]
        guard !names.contains(first) else { return nil }
        let hint = Suggestion.hint(for: first, in: names) ?? "commands: \(names.dropLast().joined(separator: ", "))"
        return "'\(first)' is not a wrtform command (\(hint))"
    }
}
