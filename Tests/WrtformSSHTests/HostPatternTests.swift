import Foundation
import Testing

@testable import WrtformSSH

/// OpenSSH's host pattern rules (match.c), and HMAC-SHA1 for hashed names, as units.
@Suite struct HostPatternTests {
    static func field(_ field: String, _ name: String) -> Bool {
        HostPattern.field(Array(field.utf8)[...], names: Array(name.utf8))
    }

    @Test func wildcardsListsAndNegation() {
        #expect(Self.field("*", "router"))
        #expect(Self.field("192.168.1.*", "192.168.1.1"))
        #expect(!Self.field("192.168.1.*", "192.168.10"))
        #expect(Self.field("router?", "router1"))
        #expect(!Self.field("router?", "router"))
        #expect(Self.field("a,b,c*", "cat"))
        #expect(Self.field("*.LAN", "gw.lan")) // patterns are lower-cased, as OpenSSH does
        #expect(!Self.field("*,!gw.lan", "gw.lan"))
        #expect(!Self.field("!gw.lan", "other")) // a negation alone matches nothing
        #expect(Self.field("*,!gw.lan", "other"))
        #expect(Self.field("[10.0.0.*]:2222", "[10.0.0.9]:2222"))
        #expect(!Self.field("[10.0.0.*]:2222", "[10.0.0.9]:22"))
        #expect(!Self.field("10.0.0.9", "[10.0.0.9]:2222"))
        #expect(Self.field("*a*b*c", "xxaxxbxxc"))
        #expect(!Self.field("*a*b*c", "xxaxxbxxcx"))
        #expect(!Self.field("", "x"))
        // Linear time even for a pathological pattern.
        let started = ContinuousClock.now
        #expect(!Self.field(String(repeating: "*a", count: 2000) + "b", String(repeating: "a", count: 5000)))
        print("pathological pattern: \(ContinuousClock.now - started)")
    }

    @Test func sha1AndHMACMatchTheRFCVectors() {
        let hex = { (bytes: [UInt8]) in bytes.map { String(format: "%02x", $0) }.joined() }
        #expect(hex(SHA1.hash(Array("abc".utf8))) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(hex(SHA1.hash([])) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        let long = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(hex(SHA1.hash(long)) == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        // RFC 2202 test case 2.
        #expect(
            hex(SHA1.hmac(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8)))
                == "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")
    }

    /// A name hashed by ssh-keygen -H matches only that name.
    @Test func hashedNamesFromSSHKeygen() throws {
        let directory = try SSHTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("known_hosts").path
        let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
        try "[gw.lan]:2222 \(key)\n".write(toFile: file, atomically: true, encoding: .utf8)
        try SSHTestSupport.run(["ssh-keygen", "-q", "-H", "-f", file])
        let hashed = try String(contentsOfFile: file, encoding: .utf8)
        let field = String(hashed.split(separator: " ")[0])
        #expect(field.hasPrefix("|1|"))
        #expect(Self.field(field, "[gw.lan]:2222"))
        #expect(!Self.field(field, "gw.lan"))
        #expect(!Self.field(field, "[gw.lan]:2223"))
    }
}
