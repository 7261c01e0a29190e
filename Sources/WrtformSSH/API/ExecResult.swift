/// What a command did on the router. A non-zero exit is data, not an error: the caller
/// decides what a failing command means.
public struct ExecResult: Sendable, Hashable {
    /// Raw bytes: router output may be in any encoding, or binary.
    public var stdout: [UInt8]
    public var stderr: [UInt8]
    /// The command's exit status. When the command was killed by a signal, `exitSignal` names
    /// it and this is 128 plus the signal's number (255 if the name is unknown), as a shell
    /// reports it, so it is never mistaken for success.
    public var exitStatus: Int32
    /// The signal that killed the command (`TERM`, `KILL`, … without `SIG`), if one did.
    public var exitSignal: String?

    public init(stdout: [UInt8], stderr: [UInt8], exitStatus: Int32, exitSignal: String? = nil) {
        self.stdout = stdout
        self.stderr = stderr
        self.exitStatus = exitStatus
        self.exitSignal = exitSignal
    }

    /// stdout decoded as UTF-8, invalid sequences replaced — for messages and simple parsing.
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    /// stderr decoded as UTF-8, invalid sequences replaced.
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}
