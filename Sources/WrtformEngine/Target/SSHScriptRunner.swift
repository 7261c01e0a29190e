import WrtformSSH

/// Runs scripts over an SSH connection. The script itself travels on stdin, ahead of the payload:
/// dropbear refuses exec commands over 9000 bytes. `dd bs=1` reads exactly the script's bytes,
/// leaving the payload for the script. The script then is `sh`'s argument, visible in `ps` on the
/// router while it runs: it holds paths and names, never a secret — new file contents, secrets
/// among them, are in the payload, which no command line ever carries.
struct SSHScriptRunner: ScriptRunner {
    let connection: SSHConnection

    static func command(scriptLength: Int) -> String {
        "exec /bin/sh -c \"$(dd bs=1 count=\(scriptLength) 2>/dev/null)\""
    }

    /// The script as sent: one `{ … }` group. A connection cut while the script is still arriving
    /// leaves `dd` with the first part only; ash runs a truncated script line by line up to the
    /// cut — half a confirmation, say — but parses a group whole before running any of it, so a
    /// truncated group is a syntax error and nothing runs.
    static func wrap(_ script: String) -> String {
        "{\n" + script + "\n}\n"
    }

    func run(_ script: String, stdin: [UInt8], timeout: Duration?) async throws -> ScriptResult {
        let bytes = Array(Self.wrap(script).utf8)
        let result = try await connection.exec(
            Self.command(scriptLength: bytes.count), stdin: bytes + stdin, timeout: timeout)
        return ScriptResult(stdout: result.stdout, stderr: result.stderr, status: result.exitStatus)
    }

    func close() async {
        await connection.close()
    }
}

extension SSHRouterTarget {
    /// A router reached over SSH; each connection checks the host key and logs in afresh.
    /// `willConnect` and `didConnect` bracket each connection opened (whether it opens or fails),
    /// so a terminal can say that the wait is for the router to answer (`wrtform`'s progress line).
    public init(
        _ target: SSHTarget, hostKeyPolicy: HostKeyPolicy, credentials: SSHCredentials,
        connectTimeout: Duration = .seconds(10), commandTimeout: Duration = .seconds(120),
        willConnect: (@Sendable () -> Void)? = nil, didConnect: (@Sendable () -> Void)? = nil
    ) {
        self.init(name: target.description, timeout: commandTimeout) {
            willConnect?()
            defer { didConnect?() }
            return SSHScriptRunner(
                connection: try await SSHConnection.connect(
                    to: target, hostKeyPolicy: hostKeyPolicy, credentials: credentials, connectTimeout: connectTimeout))
        }
    }
}
