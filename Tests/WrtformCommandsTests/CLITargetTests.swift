import Foundation
import Testing
import VirtualRouter
import WrtformCommands

/// Naming the router as OpenSSH users do (`user@host:port`, `[v6]:port`, ~/.ssh/config aliases,
/// WRTFORM_INVENTORY), and target flags that cannot work refused before anything is sent.
@Suite struct CLITargetTests {
    @Test func absurdTimeoutsAndMixedTargetsAreRefused() async throws {
        for value in ["0", "-1", "601", String(Int.max)] {
            let result = await CLI.run(["facts", "--host", "127.0.0.1", "--connect-timeout=\(value)"])
            #expect(result.code != 0)
            #expect(result.stderr.contains("--connect-timeout must be 1-600 seconds, not \(value)"), "\(result.stderr)")
        }
        let mixed = await CLI.run(["facts", "--host", "127.0.0.1", "--inventory", "/nonexistent.yml", "--limit", "gw"])
        #expect(mixed.code != 0)
        #expect(mixed.stderr.contains("give either --host or --inventory FILE --limit NAME, not both"))
        for (host, why) in [
            ("root@gw:0", "has a port that is not a number"), ("[fd00::1", "has '[' without ']'"),
            ("gw\u{1b}[2J", "contains a control character"),
        ] {
            let bad = await CLI.run(["facts", "--host", host])
            #expect(bad.code != 0)
            #expect(bad.stderr.contains(why), "\(bad.stderr)")
            #expect(!bad.stderr.contains("\u{1b}"))
        }
        let twice = await CLI.run(["facts", "--host", "admin@gw:2222", "--port", "22"])
        #expect(twice.stderr.contains("--host names the port (admin@gw:2222) and --port gives one too"))
    }

    @Test func userAtHostColonPortConnects() async throws {
        try await withVirtualRouter { router in
            let target = [
                "--host", "root@\(router.host):\(router.port)", "--identity", router.clientKeyFile,
                "--known-hosts", router.knownHostsFile,
            ]
            let result = await CLI.run(["facts"] + target)
            #expect(result.code == 0, "\(result.stderr)")
            let bracketed = await CLI.run([
                "facts", "--host", "[\(router.host)]:\(router.port)", "--identity", router.clientKeyFile,
                "--known-hosts", router.knownHostsFile,
            ])
            #expect(bracketed.code == 0, "\(bracketed.stderr)")
        }
    }

    /// A `Host` alias in ~/.ssh/config supplies HostName, Port, User, IdentityFile and
    /// UserKnownHostsFile; WRTFORM_INVENTORY stands in for --inventory.
    @Test func sshConfigAliasAndInventoryFromTheEnvironment() async throws {
        try await withVirtualRouter { router in
            let home = try CLI.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: home) }
            try FileManager.default.createDirectory(
                at: home.appendingPathComponent(".ssh"), withIntermediateDirectories: true)
            let config = """
                Host homegw
                    HostName \(router.host)
                    Port = \(router.port)
                    User root
                    IdentityFile "\(router.clientKeyFile)"
                    UserKnownHostsFile \(router.knownHostsFile)
                """
            try config.write(to: home.appendingPathComponent(".ssh/config"), atomically: true, encoding: .utf8)
            var environment = CLI.environment()
            environment["HOME"] = home.path
            let viaAlias = await CLI.run(["facts", "--host", "homegw"], environment: environment)
            #expect(viaAlias.code == 0, "\(viaAlias.stderr)")

            let inventory = home.appendingPathComponent("routers.yml").path
            try "hosts:\n  gw:\n    host: homegw\n".write(toFile: inventory, atomically: true, encoding: .utf8)
            environment["WRTFORM_INVENTORY"] = inventory
            let viaInventory = await CLI.run(["facts", "--limit", "gw"], environment: environment)
            #expect(viaInventory.code == 0, "\(viaInventory.stderr)")
            // The inventory's only host needs no --limit.
            let noLimit = await CLI.run(["facts"], environment: environment)
            #expect(noLimit.code == 0, "\(noLimit.stderr)")

            try "Host homegw\n  Port 0\n".write(
                to: home.appendingPathComponent(".ssh/config"), atomically: true, encoding: .utf8)
            let broken = await CLI.run(["facts", "--host", "homegw"], environment: environment)
            #expect(broken.code != 0)
            #expect(
                broken.stderr.contains("/.ssh/config:2: Port 0 is not a number from 1 to 65535"), "\(broken.stderr)")
        }
    }

    /// An encrypted key with no terminal, agent or WRTFORM_SSH_PASSPHRASE: said before
    /// connecting (the port here never answers), pointing at WRTFORM_SSH_PASSPHRASE.
    @Test func encryptedKeyWithoutATerminalPointsAtThePassphraseVariable() async throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = directory.appendingPathComponent("id_locked").path
        let keygen = Process()
        keygen.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        keygen.arguments = ["ssh-keygen", "-q", "-t", "ed25519", "-N", "secret-passphrase", "-f", key]
        try keygen.run()
        keygen.waitUntilExit()
        let result = await CLI.run([
            "facts", "--host", "127.0.0.1:9", "--identity", key, "--known-hosts", "/dev/null", "--connect-timeout",
            "30",
        ])
        #expect(result.code == 1)
        #expect(
            result.stderr.contains(
                "identity file \(key) is encrypted and there is no terminal to ask for its passphrase"),
            "\(result.stderr)")
        #expect(result.stderr.contains("WRTFORM_SSH_PASSPHRASE"))
        let missing = await CLI.run([
            "facts", "--host", "127.0.0.1:9", "--identity", key + ".missing", "--known-hosts", "/dev/null",
        ])
        #expect(missing.stderr.contains("cannot be used (no such file)"), "\(missing.stderr)")
    }
}
