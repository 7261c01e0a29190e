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
    /// Whether a progress line may be drawn on `err`: it is a terminal that can erase a line
    /// (not TERM=dumb), and WRTFORM_NO_PROGRESS is not set. Commands printing JSON, and fleets, never
    /// draw one.
    public var showsProgress: Bool
    /// The progress line being drawn, once the command has one (`ProgressDisplay.console`).
    var progress: ProgressDisplay?

    public init(
        out: @escaping @Sendable (String) -> Void, err: @escaping @Sendable (String) -> Void,
        readLine: @escaping @Sendable () -> String? = { nil }, isInteractive: Bool = false, useColor: Bool = false,
        environment: [String: String] = [:], showsProgress: Bool = false
    ) {
        self.out = out
        self.err = err
        self.readLine = readLine
        self.isInteractive = isInteractive
        self.useColor = useColor
        self.environment = environment
        self.showsProgress = showsProgress
    }

    /// The process's own stdio; colors only on a terminal, and never with NO_COLOR set; progress on a
    /// terminal's stderr (NO_COLOR takes colors away, not the progress line: it has none).
    public static let standard: Console = {
        let environment = ProcessInfo.processInfo.environment
        let terminal = isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1
        return Console(
            out: { text in FileHandle.standardOutput.write(Data(text.utf8)) },
            err: { text in FileHandle.standardError.write(Data(text.utf8)) },
            readLine: { Swift.readLine(strippingNewline: true) },
            isInteractive: terminal,
            useColor: isatty(STDOUT_FILENO) == 1 && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb",
            environment: environment,
            showsProgress: isatty(STDERR_FILENO) == 1 && environment["TERM"] != "dumb"
                && environment["WRTFORM_NO_PROGRESS"] == nil)
    }()

    @TaskLocal public static var current: Console = .standard
}
