import Foundation
import VirtualRouter
import WrtformSSH

@testable import WrtformEngine

/// Every script the engine sends, with the command line it travels under — what `ps` on the
/// router could show of it (the script becomes `sh -c`'s argument).
final class FaultScriptLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [(command: String, script: String)] = []

    func add(_ command: String, _ script: String) {
        lock.withLock { items.append((command, script)) }
    }

    var entries: [(command: String, script: String)] { lock.withLock { items } }

    /// The real SSH runner, recording what passes through it.
    struct Runner: ScriptRunner {
        let inner: SSHScriptRunner
        let log: FaultScriptLog

        func run(_ script: String, stdin: [UInt8], timeout: Duration?) async throws -> ScriptResult {
            let wrapped = SSHScriptRunner.wrap(script)
            log.add(SSHScriptRunner.command(scriptLength: wrapped.utf8.count), wrapped)
            return try await inner.run(script, stdin: stdin, timeout: timeout)
        }

        func close() async { await inner.close() }
    }

    /// An engine target for `router` whose every script lands in this log.
    func target(_ router: VirtualRouter) -> SSHRouterTarget {
        let target = SSHTarget(host: router.host, port: router.port, user: "root")
        let policy = HostKeyPolicy.fingerprint(router.hostKeyFingerprint)
        let credentials = SSHCredentials(agent: false, identityFiles: [router.clientKeyFile])
        return SSHRouterTarget(name: target.description, timeout: .seconds(60)) { [self] in
            Runner(
                inner: SSHScriptRunner(
                    connection: try await SSHConnection.connect(
                        to: target, hostKeyPolicy: policy, credentials: credentials, connectTimeout: .seconds(10))),
                log: self)
        }
    }
}
