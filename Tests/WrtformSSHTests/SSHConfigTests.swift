import Foundation
import Testing
import WrtformSSH

/// ssh_config(5) as OpenSSH reads it, and destinations as OpenSSH users write them.
@Suite struct SSHConfigTests {
    static let home = "/home/me"

    @Test func hostBlocksFirstValueWinsAndIdentitiesAccumulate() throws {
        let config = try SSHConfig(
            text: """
                # routers
                Host gw  gw-alt
                  HostName 192.168.1.1
                  Port=2222
                  IdentityFile ~/.ssh/gw_key
                Host gw
                  HostName ignored.example
                  User admin
                  IdentityFile "%d/keys/with space"
                Host *.lan !printer.lan
                  user lanuser
                  UserKnownHostsFile ~/.ssh/known_%h
                Host *
                  User fallback
                  IdentityFile ~/.ssh/id_ed25519
                """, home: Self.home)
        let gw = config.resolve("gw", localUser: "me")
        #expect(gw.hostName == "192.168.1.1")
        #expect(gw.port == 2222)
        #expect(gw.user == "admin")
        #expect(gw.identityFiles == ["/home/me/.ssh/gw_key", "/home/me/keys/with space", "/home/me/.ssh/id_ed25519"])
        #expect(gw.userKnownHostsFile == nil)

        let lan = config.resolve("AP.lan", localUser: "me")
        #expect(lan.hostName == nil && lan.port == nil)
        #expect(lan.user == "lanuser")
        #expect(lan.userKnownHostsFile == "/home/me/.ssh/known_AP.lan")

        let printer = config.resolve("printer.lan", localUser: "me")
        #expect(printer.user == "fallback")
        #expect(printer.userKnownHostsFile == nil)
    }

    @Test func matchBlocksQuotesCommentsAndTokens() throws {
        let config = try SSHConfig(
            text: """
                Match host gw exec "true"
                  User never
                Match all
                  HostName %h.example.net
                Host gw
                  User 'root' # a comment
                  IdentityFile ~/.ssh/%r@%h:%p
                """, home: Self.home)
        let gw = config.resolve("gw", localUser: "me")
        #expect(gw.user == "root")
        #expect(gw.hostName == "gw.example.net")
        #expect(gw.identityFiles == ["/home/me/.ssh/root@gw.example.net:22"])
    }

    @Test func badLinesNameFileAndLine() {
        #expect(throws: SSHConfig.ParseError.self) {
            try SSHConfig(text: "Host gw\n  Port 99999\n", file: "cfg", home: Self.home)
        }
        do {
            _ = try SSHConfig(text: "Host gw\n  User \"root\n", file: "cfg", home: Self.home)
            Issue.record("accepted an unterminated quote")
        } catch {
            #expect(error.description == "cfg:2: unterminated quote")
        }
    }

    @Test func includeReadsRelativeToDotSSH() throws {
        let directory = try SSHTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let dotSSH = directory.appendingPathComponent(".ssh")
        try FileManager.default.createDirectory(
            at: dotSSH.appendingPathComponent("config.d"), withIntermediateDirectories: true)
        try "Host gw\n  Port 2200\n".write(
            to: dotSSH.appendingPathComponent("config.d/routers"), atomically: true, encoding: .utf8)
        try "Include config.d/*\nHost gw\n  Port 22\n  User u\n".write(
            to: dotSSH.appendingPathComponent("config"), atomically: true, encoding: .utf8)
        let config = try SSHConfig.load(path: dotSSH.appendingPathComponent("config").path, home: directory.path)
        let gw = config.resolve("gw", localUser: "me")
        #expect(gw.port == 2200)
        #expect(gw.user == "u")
        #expect(
            try SSHConfig.load(path: "/nonexistent/config", home: directory.path).resolve("gw", localUser: "me")
                == SSHConfig.Resolved())
    }

    @Test func destinationsAsOpenSSHUsersWriteThem() throws {
        #expect(try SSHDestination.parse("192.168.1.1") == SSHDestination(host: "192.168.1.1"))
        #expect(try SSHDestination.parse("root@gw:2222") == SSHDestination(user: "root", host: "gw", port: 2222))
        #expect(try SSHDestination.parse("[fd00::1]:2222") == SSHDestination(host: "fd00::1", port: 2222))
        #expect(try SSHDestination.parse("admin@[fd00::1]") == SSHDestination(user: "admin", host: "fd00::1"))
        #expect(try SSHDestination.parse("fd00::1") == SSHDestination(host: "fd00::1"))
        #expect(try SSHDestination.parse("a@b@gw") == SSHDestination(user: "a@b", host: "gw"))
        for bad in [
            "", "gw:0", "gw:65536", "gw:", "gw:22x", "@gw", "[fd00::1", "[fd00::1]x", "g w", "gw\n", "root@",
            "gw:99999999999999999999",
        ] {
            #expect(throws: SSHDestination.ParseError.self, "\(bad)") { try SSHDestination.parse(bad) }
        }
        do {
            _ = try SSHDestination.parse("gw:\u{1b}[2J")
        } catch {
            #expect(!error.description.contains("\u{1b}"))
        }
    }
}
