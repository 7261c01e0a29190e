import Foundation
import Testing
import VirtualRouter
import WrtformSSH

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
            #expect(refusal.description == "root@\(router.host):\(router.port) refused the password; check it or use --identity")
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
            #expect(error?.description == "root@\(router.host):\(router.port) refused the agent's 1 key; try --password")

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
                credentials: SSHCredentials(agent: true, agentSocket: agent.socket, identityFiles: [router.clientKeyFile]))
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
