import Foundation
import Testing
import VirtualRouter
import WrtformSSH

#if canImport(Glibc)
    import Glibc
#endif

/// Logging in with the agent, key files (plain and encrypted) and the password, and the one
/// line a refusal produces.
@Suite struct AuthenticationTests {
    @Test func passwordLogsIn() async throws {
        try await withVirtualRouter { router in
            let connection = try await SSHConnection.connect(
                to: SSHTestSupport.target(router), hostKeyPolicy: .knownHosts(file: router.knownHostsFile),
                credentials: SSHCredentials(agent: false, password: router.rootPassword))
            #expect(try await connection.exec("id -u").stdoutText == "0\n")
            await connection.close()
        }
    }

    @Test func wrongKeyGivesOneClearLine() async throws {
        try await withVirtualRouter { router in
            let directory = try SSHTestSupport.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let stranger = try SSHTestSupport.makeKey(in: directory, name: "id_stranger")

            let error = await #expect(throws: SSHError.self) {
                _ = try await SSHConnection.connect(
                    to: SSHTestSupport.target(router), hostKeyPolicy: .knownHosts(file: router.knownHostsFile),
                    credentials: SSHCredentials(agent: false, identityFiles: [stranger]))
            }
            let refusal = try #require(error)
            print(refusal)
            #expect(refusal.kind == .authenticationFailed)
            #expect(refusal.description == "root@\(router.host):\(router.port) refused key \(stranger); try --password")
            #expect(try router.commandLog().isEmpty)
        }
    }

    @Test func wrongPasswordGivesOneClearLineWithoutThePassword() async throws {
        try await withVirtualRouter { router in
            let wrong = "not-the-password-\(UUID().uuidString)"
            let error = await #expect(throws: SSHError.self) {
                _ = try await SSHConnection.connect(
                    to: SSHTestSupport.target(router), hostKeyPolicy: .knownHosts(file: router.knownHostsFile),
                    credentials: SSHCredentials(agent: false, password: wrong))
            }
            let refusal = try #require(error)
            print(refusal)
            #expect(refusal.kind == .authenticationFailed)
            #expect(
                refusal.description
                    == "root@\(router.host):\(router.port) refused the password; check it or use --identity")
            #expect(!refusal.description.contains(wrong))
            #expect(!String(describing: SSHCredentials(password: wrong)).contains(wrong))
            #expect(!String(reflecting: SSHCredentials(password: wrong)).contains(wrong))
        }
    }

    @Test func refusedKeyFallsBackToThePassword() async throws {
        try await withVirtualRouter { router in
            let directory = try SSHTestSupport.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let stranger = try SSHTestSupport.makeKey(in: directory, name: "id_stranger")
            let connection = try await SSHConnection.connect(
                to: SSHTestSupport.target(router), hostKeyPolicy: .knownHosts(file: router.knownHostsFile),
                credentials: SSHCredentials(agent: false, identityFiles: [stranger], password: router.rootPassword))
            #expect(try await connection.exec("echo in").stdoutText == "in\n")
            await connection.close()
        }
    }

    @Test func agentKeysAreTriedFirst() async throws {
        try await withVirtualRouter { router in
            let directory = try SSHTestSupport.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let agent = try TestAgent(directory: directory)
            defer { agent.stop() }
            let stranger = try SSHTestSupport.makeKey(in: directory, name: "id_stranger")
            try agent.add(stranger)

            // The agent holds only a key the router does not know: refused, and said so.
            let error = await #expect(throws: SSHError.self) {
                _ = try await SSHConnection.connect(
                    to: SSHTestSupport.target(router), hostKeyPolicy: .knownHosts(file: router.knownHostsFile),
                    credentials: SSHCredentials(agent: true, agentSocket: agent.socket))
            }
            print(try #require(error))
            #expect(
                error?.description == "root@\(router.host):\(router.port) refused the agent's 1 key; try --password")

            // With the router's key added, the agent alone logs in.
            try agent.add(router.clientKeyFile)
            let connection = try await SSHConnection.connect(
                to: SSHTestSupport.target(router), hostKeyPolicy: .knownHosts(file: router.knownHostsFile),
                credentials: SSHCredentials(agent: true, agentSocket: agent.socket))
            #expect(try await connection.exec("echo agent").stdoutText == "agent\n")
            await connection.close()
        }
    }

    /// A stale SSH_AUTH_SOCK (the agent gone, its socket file left) is passed over: the key
    /// file logs in, and with nothing else the refusal says the agent did not answer.
    @Test func staleAgentSocketIsPassedOver() async throws {
        try await withVirtualRouter { router in
            let directory = try SSHTestSupport.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let agent = try TestAgent(directory: directory)
            agent.stop()
            #expect(FileManager.default.fileExists(atPath: agent.socket))

            let connection = try await SSHConnection.connect(
                to: SSHTestSupport.target(router), hostKeyPolicy: .knownHosts(file: router.knownHostsFile),
                credentials: SSHCredentials(
                    agent: true, agentSocket: agent.socket, identityFiles: [router.clientKeyFile]))
            #expect(try await connection.exec("echo key").stdoutText == "key\n")
            await connection.close()

            let error = await #expect(throws: SSHError.self) {
                _ = try await SSHConnection.connect(
                    to: SSHTestSupport.target(router), hostKeyPolicy: .knownHosts(file: router.knownHostsFile),
                    credentials: SSHCredentials(agent: true, agentSocket: agent.socket))
            }
            #expect(error?.kind == .authenticationFailed)
            #expect(error?.description.contains("did not answer") == true, "\(String(describing: error))")
        }
    }

    /// An ssh-agent that accepts connections but never answers: the connect ends at its
    /// deadline naming the agent (libssh2's own agent client waited forever).
    @Test(.timeLimit(.minutes(1))) func hungAgentDoesNotHangTheConnect() async throws {
        try await withVirtualRouter { router in
            let directory = try SSHTestSupport.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let socket = directory.appendingPathComponent("hung.sock").path
            let listener = try #require(HungAgent(path: socket))
            defer { listener.close() }
            let started = ContinuousClock.now
            let error = await #expect(throws: SSHError.self) {
                _ = try await SSHConnection.connect(
                    to: SSHTestSupport.target(router), hostKeyPolicy: .knownHosts(file: router.knownHostsFile),
                    credentials: SSHCredentials(
                        agent: true, agentSocket: socket, identityFiles: [router.clientKeyFile]),
                    // Room for the key exchange when the whole suite shares two cores: the deadline falls on the agent.
                    connectTimeout: .seconds(5))
            }
            let elapsed = SSHTestSupport.milliseconds(since: started)
            print("after \(elapsed) ms: \(String(describing: error))")
            #expect(error?.kind == .connectTimedOut)
            #expect(error?.description.contains("the ssh-agent at \(socket) did not answer") == true)
            #expect(elapsed < 30_000)
        }
    }

    /// A missing or unusable identity file is reported before anything is sent: the server here
    /// never answers, so only a check made before connecting can say it.
    @Test func unusableIdentityFileIsReportedBeforeConnecting() async throws {
        let directory = try SSHTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let listener = try SilentListener()
        let publicOnly = directory.appendingPathComponent("id.pub").path
        try "ssh-ed25519 AAAA x\n".write(toFile: publicOnly, atomically: true, encoding: .utf8)
        let missing = directory.appendingPathComponent("id_missing").path
        for (path, reason) in [(missing, "no such file"), (publicOnly, "not a private key file")] {
            let started = ContinuousClock.now
            let error = await #expect(throws: SSHError.self) {
                _ = try await SSHConnection.connect(
                    to: SSHTarget(host: "127.0.0.1", port: listener.port), hostKeyPolicy: .fingerprint("SHA256:x"),
                    credentials: SSHCredentials(agent: false, identityFiles: [path]), connectTimeout: .seconds(120))
            }
            print(String(describing: error))
            #expect(error?.kind == .identityUnusable)
            #expect(error?.description.contains("identity file \(path) cannot be used (\(reason)") == true)
            #expect(SSHTestSupport.milliseconds(since: started) < 60_000) // far below the 120 s timeout
        }
    }

    @Test func encryptedKeyUsesThePassphraseProvider() async throws {
        try await withVirtualRouter { router in
            let directory = try SSHTestSupport.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let phrase = "correct horse \(UUID().uuidString)"
            let key = try SSHTestSupport.makeKey(in: directory, name: "id_locked", passphrase: phrase)
            try SSHTestSupport.authorize(key, on: router)
            let target = SSHTestSupport.target(router)
            let policy = HostKeyPolicy.knownHosts(file: router.knownHostsFile)

            let connection = try await SSHConnection.connect(
                to: target, hostKeyPolicy: policy,
                credentials: SSHCredentials(agent: false, identityFiles: [key], passphrase: { _ in phrase }))
            #expect(try await connection.exec("echo unlocked").stdoutText == "unlocked\n")
            await connection.close()

            let wrongPhrase = "wrong \(UUID().uuidString)"
            let wrong = await #expect(throws: SSHError.self) {
                _ = try await SSHConnection.connect(
                    to: target, hostKeyPolicy: policy,
                    credentials: SSHCredentials(agent: false, identityFiles: [key], passphrase: { _ in wrongPhrase }))
            }
            print(try #require(wrong))
            #expect(wrong?.description.contains("could not use \(key) (wrong passphrase") == true)
            #expect(wrong?.description.contains(wrongPhrase) == false)

            let missing = await #expect(throws: SSHError.self) {
                _ = try await SSHConnection.connect(
                    to: target, hostKeyPolicy: policy, credentials: SSHCredentials(agent: false, identityFiles: [key]))
            }
            #expect(missing?.description.contains("(encrypted; no passphrase given)") == true)
        }
    }
}

/// A unix socket that accepts connections (in the kernel's backlog) and never answers: an
/// ssh-agent that hangs.
final class HungAgent {
    private let fd: Int32

    init?(path: String) {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0, listen(fd, 8) == 0 else { return nil }
    }

    func close() { _ = Glibc.close(fd) }
}
