/// What a script run with `VirtualRouter.runInSandbox` did.
public struct SandboxRun: Sendable, Equatable {
    /// The exit status (128 + signal when killed by one).
    public var exitCode: Int32
    /// stdout and stderr together.
    public var output: String

    public init(exitCode: Int32, output: String) {
        self.exitCode = exitCode
        self.output = output
    }
}
