import Foundation

/// Where commands print and read. A task-local, so tests capture a command's output by binding
/// their own console; the executable uses the process's stdio.
public struct Console: Sendable {
    public var out: @Sendable (String) -> Void
    public var err: @Sendable (String) -> Void
    public var readLine: @Sendable () -> String?
    /// Whether stdin and stdout are a terminal (progress, colors, confirmation prompts).
    public var isInteractive: Bool
    public var useColor: Bool
    public var environment: [String: String]

    public init(
        out: @escaping @Sendable (String) -> Void, err: @escaping @Sendable (String) -> Void,
        readLine: @escaping @Sendable () -> String? = { nil }, isInteractive: Bool = false, useColor: Bool = false,
        environment: [String: String] = [:]
    ) {
        self.out = out
        self.err = err
        self.readLine = readLine
        self.isInteractive = isInteractive
        self.useColor = useColor
        self.environment = environment
    }

    /// The process's own stdio; colors only on a terminal, and never with NO_COLOR set.
    public static let standard: Console = {
        let environment = ProcessInfo.processInfo.environment
        let terminal = isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1
        return Console(
            out: { text in FileHandle.standardOutput.write(Data(text.utf8)) },
            err: { text in FileHandle.standardError.write(Data(text.utf8)) },
            readLine: { Swift.readLine(strippingNewline: true) },
            isInteractive: terminal,
            useColor: isatty(STDOUT_FILENO) == 1 && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb",
            environment: environment)
    }()

    @TaskLocal public static var current: Console = .standard
}
