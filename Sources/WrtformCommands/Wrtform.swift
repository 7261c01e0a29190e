import ArgumentParser

/// The root command. Each subcommand lives in its own file as a small extension of it,
/// so the executable stays a few lines and tests drive commands directly.
public struct Wrtform: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "wrtform",
        abstract: "Plan, apply and roll back OpenWrt configuration over SSH.",
        subcommands: []
    )

    public init() {}
}
