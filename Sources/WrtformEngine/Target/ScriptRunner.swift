/// Runs one busybox-ash script on the router: one exec round trip. The SSH connection is one; tests
/// may supply others.
public protocol ScriptRunner: Sendable {
    func run(_ script: String, stdin: [UInt8], timeout: Duration?) async throws -> ScriptResult
    func close() async
}

public struct ScriptResult: Sendable {
    public var stdout: [UInt8]
    public var stderr: [UInt8]
    public var status: Int32

    public init(stdout: [UInt8], stderr: [UInt8], status: Int32) {
        self.stdout = stdout
        self.stderr = stderr
        self.status = status
    }
}
