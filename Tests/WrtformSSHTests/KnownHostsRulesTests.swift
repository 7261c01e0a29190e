import Foundation
import Testing
import VirtualRouter
import WrtformSSH

/// known_hosts with OpenSSH's semantics, through real SSH: markers with host patterns, every
/// line's host field matched by OpenSSH's pattern rules, and a known key of another type meaning
/// the host identification has changed.
@Suite struct KnownHostsRulesTests {
    /// The router's known_hosts entry split into its name and its key (`ssh-ed25519 AAAA…`).
    static func entry(_ router: VirtualRouter) throws -> (name: String, key: String) {
        let line = try String(contentsOfFile: router.knownHostsFile, encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let fields = line.split(separator: " ", maxSplits: 1).map(String.init)
        try #require(fields.count == 2)
        return (fields[0], fields[1])
    }

    static func connect(_ router: VirtualRouter, knownHosts: String, acceptNew: Bool = false) async throws {
        let connection = try await SSHConnection.connect(
            to: SSHTestSupport.target(router), hostKeyPolicy: .knownHosts(file: knownHosts, acceptNew: acceptNew),
            credentials: SSHTestSupport.keyOnly(router))
        #expect(try await connection.exec("echo in").stdoutText == "in\n")
        await connection.close()
    }

    static func refusal(_ router: VirtualRouter, knownHosts: String, acceptNew: Bool = false) async -> SSHError? {
        await #expect(throws: SSHError.self) {
            try await connect(router, knownHosts: knownHosts, acceptNew: acceptNew)
        }
    }

    /// `@revoked *` (and other patterns naming the host) refuses the key even beside a plain
    /// line trusting it, with or without accept-new; a `@revoked` line for other hosts does not.
    @Test func revokedWithAHostPatternIsRefused() async throws {
        try await withVirtualRouter { router in
            let directory = try SSHTestSupport.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let knownHosts = directory.appendingPathComponent("known_hosts").path
            let (name, key) = try Self.entry(router)
            let bracketed = "[\(router.host.split(separator: ".").dropLast().joined(separator: ".")).*]:\(router.port)"
            for pattern in [
                "*", "example.org,\(bracketed)", "[\(router.host)]:\(router.port)", "*:\(router.port),!nothing",
            ] {
                let text = "@revoked \(pattern) \(key)\n\(name) \(key)\n"
                try text.write(toFile: knownHosts, atomically: true, encoding: .utf8)
                for acceptNew in [false, true] {
                    let error = await Self.refusal(router, knownHosts: knownHosts, acceptNew: acceptNew)
                    #expect(error?.kind == .hostKeyRevoked, "pattern \(pattern): \(String(describing: error))")
                    #expect(error?.description.contains("\(knownHosts):1 marks @revoked") == true)
                }
                #expect(try String(contentsOfFile: knownHosts, encoding: .utf8) == text)
            }
            // Revoked for other hosts only (a negation excludes this one): the plain line rules.
            for pattern in ["*.example.org", "*,![\(router.host)]:\(router.port)", "[\(router.host)]:1\(router.port)"] {
                try "@revoked \(pattern) \(key)\n\(name) \(key)\n".write(
                    toFile: knownHosts, atomically: true, encoding: .utf8)
                try await Self.connect(router, knownHosts: knownHosts)
            }
            #expect(try router.commandLog().count == 3)
        }
    }

    /// Host fields as OpenSSH matches them: wildcards, `?`, comma lists, negation, case.
    @Test func hostPatternsOnPlainLinesMatchAsOpenSSH() async throws {
        try await withVirtualRouter { router in
            let directory = try SSHTestSupport.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let knownHosts = directory.appendingPathComponent("known_hosts").path
            let (_, key) = try Self.entry(router)
            let parts = router.host.split(separator: ".")
            let wildcard = "[\(parts.dropLast().joined(separator: ".")).*]:\(router.port)"
            let question = "[\(router.host.dropLast())?]:\(router.port)"
            for field in [wildcard, question, "gateway,\(wildcard)", "*"] {
                try "\(field) \(key)\n".write(toFile: knownHosts, atomically: true, encoding: .utf8)
                try await Self.connect(router, knownHosts: knownHosts)
            }
            // Negated, or naming another port or host: not this router.
            for field in ["*,![\(router.host)]:\(router.port)", "[\(router.host)]:2\(router.port)", "\(router.host)"] {
                try "\(field) \(key)\n".write(toFile: knownHosts, atomically: true, encoding: .utf8)
                let error = await Self.refusal(router, knownHosts: knownHosts)
                #expect(error?.kind == .hostKeyUnknown, "field \(field): \(String(describing: error))")
            }
        }
    }

    /// known_hosts holds only an RSA key for the host and the router offers ed25519: "host
    /// identification has changed", naming the line, even with accept-new; nothing recorded.
    @Test func knownKeyOfAnotherTypeMeansChanged() async throws {
        try await withVirtualRouter { router in
            let directory = try SSHTestSupport.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let knownHosts = directory.appendingPathComponent("known_hosts").path
            let (name, _) = try Self.entry(router)
            let rsaPath = directory.appendingPathComponent("rsa").path
            try #require(
                try SSHTestSupport.run(["ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", rsaPath]).status
                    == 0)
            let rsa = try String(contentsOfFile: rsaPath + ".pub", encoding: .utf8).split(separator: " ").prefix(2)
                .joined(separator: " ")
            let text = "# old router\n\(name) \(rsa)\n"
            try text.write(toFile: knownHosts, atomically: true, encoding: .utf8)
            for acceptNew in [false, true] {
                let error = await Self.refusal(router, knownHosts: knownHosts, acceptNew: acceptNew)
                #expect(error?.kind == .hostKeyChanged, "\(String(describing: error))")
                #expect(error?.description.contains("host identification has changed") == true)
                #expect(error?.description.contains("\(knownHosts):2 holds a different key (ssh-rsa)") == true)
            }
            #expect(try String(contentsOfFile: knownHosts, encoding: .utf8) == text)
            #expect(try router.commandLog().isEmpty)
        }
    }
}
