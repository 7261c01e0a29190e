import Foundation
import Testing
import WrtformSSH

/// Whatever answers at the address before the host key is checked — a flood, an HTTP server, a
/// peer that stops mid-handshake — ends in one clear error within the connect timeout.
@Suite struct HandshakeTests {
    static func connect(port: Int, timeout: Duration) async -> (SSHError?, Int) {
        let started = ContinuousClock.now
        do {
            _ = try await SSHConnection.connect(
                to: SSHTarget(host: "127.0.0.1", port: port), hostKeyPolicy: .fingerprint("SHA256:x"),
                credentials: SSHCredentials(agent: false), connectTimeout: timeout)
            return (nil, SSHTestSupport.milliseconds(since: started))
        } catch {
            return (error as? SSHError, SSHTestSupport.milliseconds(since: started))
        }
    }

    /// A peer that floods bytes without ever sending a newline: libssh2 1.10 alone spun at 100 %
    /// CPU past any timeout. Refused as "does not speak SSH", showing the first bytes safely.
    @Test(.timeLimit(.minutes(1))) func floodWithoutANewlineIsRefusedQuickly() async throws {
        let server = try ScriptedServer(greeting: [], flood: Array("AAAA\u{1b}[31m".utf8))
        defer { server.stop() }
        let (error, elapsed) = await Self.connect(port: server.port, timeout: .seconds(3))
        print("after \(elapsed) ms, \(server.sent) bytes offered: \(String(describing: error))")
        let refusal = try #require(error)
        #expect(refusal.kind == .handshakeFailed)
        #expect(refusal.description.contains("port \(server.port) does not speak SSH (got: \"AAAA\\x1b[31mAAAA"))
        #expect(!refusal.description.contains("\u{1b}"))
        #expect(elapsed < 30_000)
    }

    /// A valid banner, then endless garbage: the whole handshake (key exchange included) is
    /// bounded by the connect timeout.
    @Test(.timeLimit(.minutes(1))) func floodAfterABannerEndsAtTheConnectDeadline() async throws {
        let server = try ScriptedServer(greeting: Array("SSH-2.0-flood\r\n".utf8), flood: [0, 0, 0x10, 0])
        defer { server.stop() }
        let (error, elapsed) = await Self.connect(port: server.port, timeout: .seconds(2))
        print("after \(elapsed) ms, \(server.sent) bytes offered: \(String(describing: error))")
        let refusal = try #require(error)
        #expect(refusal.kind == .connectTimedOut || refusal.kind == .handshakeFailed)
        #expect(elapsed < 30_000)
    }

    /// An HTTP server on the port: named as such, not blamed on dropbear's connection limit.
    @Test func portThatSpeaksSomethingElseIsNamed() async throws {
        let server = try ScriptedServer(greeting: Array("HTTP/1.1 400 Bad Request\r\nServer: x\r\n\r\n".utf8))
        defer { server.stop() }
        let (error, _) = await Self.connect(port: server.port, timeout: .seconds(5))
        let refusal = try #require(error)
        print(refusal)
        #expect(refusal.kind == .handshakeFailed)
        #expect(
            refusal.description.contains(
                "port \(server.port) does not speak SSH (got: \"HTTP/1.1 400 Bad Request\\r\\n\")"))
        #expect(!refusal.description.contains("dropbear"))
    }

    /// A server that closes without a word is still explained by dropbear's limit on
    /// not-yet-logged-in connections.
    @Test func serverClosingBeforeTheBannerKeepsTheDropbearHint() async throws {
        let server = try ScriptedServer(greeting: [], closeAtOnce: true)
        defer { server.stop() }
        let (error, _) = await Self.connect(port: server.port, timeout: .seconds(5))
        let refusal = try #require(error)
        print(refusal)
        #expect(refusal.kind == .handshakeFailed)
        #expect(refusal.description.contains("closed the connection before the SSH handshake"))
    }
}
