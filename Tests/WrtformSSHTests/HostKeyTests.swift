import Foundation
import Testing
import VirtualRouter
import WrtformSSH

/// The host-key decision comes before any credential is sent, and only a known (or pinned,
/// or explicitly accepted new) key gets through.
@Suite struct HostKeyTests {
    @Test func unknownHostIsRefusedWithItsFingerprintAndNothingRuns() async throws {
        try await withVirtualRouter { router in
            let directory = try SSHTestSupport.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let knownHosts = directory.appendingPathComponent("known_hosts").path
            let credentials = SSHCredentials(
                agent: false, identityFiles: [router.clientKeyFile], password: router.rootPassword)

            let error = await #expect(throws: SSHError.self) {
                _ = try await SSHConnection.connect(
                    to: SSHTestSupport.target(router), hostKeyPolicy: .knownHosts(file: knownHosts),
                    credentials: credentials)
            }
            let refusal = try #require(error)
            print(refusal)
            #expect(refusal.kind == .hostKeyUnknown)
            #expect(refusal.hostKey?.fingerprint == router.hostKeyFingerprint)
            #expect(refusal.hostKey?.type == "ssh-ed25519")
            #expect(refusal.description.hasPrefix("root@\(router.host):\(router.port) "))
            #expect(refusal.description.contains("ssh-ed25519 \(router.hostKeyFingerprint)"))
            #expect(refusal.description.contains("--accept-new-host-key"))
            #expect(!refusal.description.contains(router.rootPassword))
            #expect(try router.commandLog().isEmpty)
            #expect(!FileManager.default.fileExists(atPath: knownHosts))
        }
    }

    @Test func changedHostKeyIsRefusedNamingTheKnownHostsLine() async throws {
        try await withVirtualRouter { router in
            let directory = try SSHTestSupport.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let knownHosts = directory.appendingPathComponent("known_hosts").path
            let entry = try String(contentsOfFile: router.knownHostsFile, encoding: .utf8)
            let other = "192.0.2.7 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n"
            try ("# routers\n" + other + entry).write(toFile: knownHosts, atomically: true, encoding: .utf8)
            let oldFingerprint = router.hostKeyFingerprint

            try await router.replaceHostKey()
            #expect(router.hostKeyFingerprint != oldFingerprint)

            for acceptNew in [false, true] {
                let error = await #expect(throws: SSHError.self) {
                    _ = try await SSHConnection.connect(
                        to: SSHTestSupport.target(router),
                        hostKeyPolicy: .knownHosts(file: knownHosts, acceptNew: acceptNew),
                        credentials: SSHTestSupport.keyOnly(router))
                }
                let refusal = try #require(error)
                print(refusal)
                #expect(refusal.kind == .hostKeyChanged)
                #expect(refusal.hostKey?.fingerprint == router.hostKeyFingerprint)
                #expect(refusal.description.contains("HOST KEY CHANGED"))
                #expect(refusal.description.contains("\(knownHosts):3"))
                #expect(refusal.description.contains("[\(router.host)]:\(router.port)"))
            }
            #expect(try router.commandLog().isEmpty)
            #expect(try String(contentsOfFile: knownHosts, encoding: .utf8) == "# routers\n" + other + entry)
        }
    }

    /// OpenSSH's markers: a key marked `@revoked` for the host is refused before anything else,
    /// even beside a plain entry for it and with accept-new; a `@cert-authority` line (dropbear
    /// has no host certificates) is skipped without hiding the lines after it.
    @Test func revokedKeyIsRefusedEvenWithAcceptNew() async throws {
        try await withVirtualRouter { router in
            let directory = try SSHTestSupport.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let knownHosts = directory.appendingPathComponent("known_hosts").path
            let entry = try String(contentsOfFile: router.knownHostsFile, encoding: .utf8)
            let authority =
                "@cert-authority *.example.net ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n"
            try (authority + entry).write(toFile: knownHosts, atomically: true, encoding: .utf8)
            let trusted = try await SSHConnection.connect(
                to: SSHTestSupport.target(router), hostKeyPolicy: .knownHosts(file: knownHosts),
                credentials: SSHTestSupport.keyOnly(router))
            await trusted.close()

            let revoked = authority + entry + "@revoked " + entry
            try revoked.write(toFile: knownHosts, atomically: true, encoding: .utf8)
            for acceptNew in [false, true] {
                let error = await #expect(throws: SSHError.self) {
                    _ = try await SSHConnection.connect(
                        to: SSHTestSupport.target(router),
                        hostKeyPolicy: .knownHosts(file: knownHosts, acceptNew: acceptNew),
                        credentials: SSHTestSupport.keyOnly(router))
                }
                #expect(error?.kind == .hostKeyRevoked)
                #expect(
                    error?.description.contains("\(knownHosts):3 marks @revoked") == true,
                    "\(String(describing: error))")
            }
            #expect(try String(contentsOfFile: knownHosts, encoding: .utf8) == revoked)
            #expect(try router.commandLog().isEmpty)
        }
    }

    @Test func acceptNewRecordsTheKeyAndTheNextConnectionPassesStrictly() async throws {
        try await withVirtualRouter { router in
            let directory = try SSHTestSupport.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let knownHosts = directory.appendingPathComponent("ssh/known_hosts").path

            let first = try await SSHConnection.connect(
                to: SSHTestSupport.target(router), hostKeyPolicy: .knownHosts(file: knownHosts, acceptNew: true),
                credentials: SSHTestSupport.keyOnly(router))
            #expect(first.recordedHostKey)
            #expect(first.hostKey.fingerprint == router.hostKeyFingerprint)
            await first.close()

            let recorded = try String(contentsOfFile: knownHosts, encoding: .utf8)
            #expect(recorded.hasPrefix("[\(router.host)]:\(router.port) ssh-ed25519 AAAA"))
            #expect(recorded.split(separator: "\n").count == 1)
            let listed = try SSHTestSupport.run(["ssh-keygen", "-l", "-E", "sha256", "-f", knownHosts])
            #expect(listed.output.contains(router.hostKeyFingerprint))

            let second = try await SSHConnection.connect(
                to: SSHTestSupport.target(router), hostKeyPolicy: .knownHosts(file: knownHosts),
                credentials: SSHTestSupport.keyOnly(router))
            #expect(!second.recordedHostKey)
            #expect(try await second.exec("echo hi").stdoutText == "hi\n")
            await second.close()
            #expect(try String(contentsOfFile: knownHosts, encoding: .utf8) == recorded)
        }
    }

    @Test func hashedKnownHostsEntriesMatch() async throws {
        try await withVirtualRouter { router in
            let directory = try SSHTestSupport.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let knownHosts = directory.appendingPathComponent("known_hosts").path
            try FileManager.default.copyItem(atPath: router.knownHostsFile, toPath: knownHosts)
            try SSHTestSupport.run(["ssh-keygen", "-q", "-H", "-f", knownHosts])
            let hashed = try String(contentsOfFile: knownHosts, encoding: .utf8)
            #expect(hashed.hasPrefix("|1|"))

            let connection = try await SSHConnection.connect(
                to: SSHTestSupport.target(router), hostKeyPolicy: .knownHosts(file: knownHosts),
                credentials: SSHTestSupport.keyOnly(router))
            #expect(try await connection.exec("echo ok").stdoutText == "ok\n")
            await connection.close()
        }
    }

    /// OpenSSH files a non-22 port under `[host]:port` only; a key filed under the bare host
    /// must not vouch for another port (libssh2 alone would accept it).
    @Test func keyForTheBareHostDoesNotCoverAnotherPort() async throws {
        try await withVirtualRouter { router in
            let directory = try SSHTestSupport.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let knownHosts = directory.appendingPathComponent("known_hosts").path
            let entry = try String(contentsOfFile: router.knownHostsFile, encoding: .utf8)
            let bare = entry.replacingOccurrences(of: "[\(router.host)]:\(router.port)", with: router.host)
            try bare.write(toFile: knownHosts, atomically: true, encoding: .utf8)

            let error = await #expect(throws: SSHError.self) {
                _ = try await SSHConnection.connect(
                    to: SSHTestSupport.target(router), hostKeyPolicy: .knownHosts(file: knownHosts),
                    credentials: SSHTestSupport.keyOnly(router))
            }
            #expect(error?.kind == .hostKeyUnknown)
        }
    }

    @Test func pinnedFingerprintAcceptsOnlyThatKey() async throws {
        try await withVirtualRouter { router in
            let pinned = try await SSHConnection.connect(
                to: SSHTestSupport.target(router), hostKeyPolicy: .fingerprint(router.hostKeyFingerprint),
                credentials: SSHTestSupport.keyOnly(router))
            #expect(pinned.hostKey.fingerprint == router.hostKeyFingerprint)
            await pinned.close()

            let wrong = "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"
            let error = await #expect(throws: SSHError.self) {
                _ = try await SSHConnection.connect(
                    to: SSHTestSupport.target(router), hostKeyPolicy: .fingerprint(wrong),
                    credentials: SSHTestSupport.keyOnly(router))
            }
            #expect(error?.kind == .hostKeyChanged)
            #expect(error?.description.contains(wrong) == true)
            #expect(try router.commandLog().isEmpty)
        }
    }
}
