import Foundation
import Testing

@testable import WrtformEngine

/// The seals a saved plan pins files with, and how a plan file that is not one is refused.
@Suite struct PlanSealTests {
    @Test func hmacMatchesRFC4231() {
        // RFC 4231 test cases 2 and 6 (a key longer than the block).
        let short = PlanSeal.hmac(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
        #expect(PlanSeal.hex(short) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        let long = PlanSeal.hmac(
            key: [UInt8](repeating: 0xaa, count: 131),
            message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8))
        #expect(PlanSeal.hex(long) == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    @Test func sealsNeedTheKeyOnlyForSecrets() throws {
        let file = FileState(content: Array("option password 'x'\n".utf8))
        let keyless = PlanSeal(key: nil)
        #expect(try keyless.seal(.absent, secret: true) == "absent")
        #expect(try keyless.seal(file, secret: false) == "sha256:" + SHA256.hex(file.content ?? []))
        #expect(throws: EngineError.self) { try keyless.seal(file, secret: true) }
        let keyed = PlanSeal(key: Array("0123456789abcdef0123456789abcdef".utf8))
        let sealed = try keyed.seal(file, secret: true)
        #expect(sealed.hasPrefix("hmac:"))
        #expect(!sealed.contains(SHA256.hex(file.content ?? [])))
        #expect(try keyed.matches(sealed, file))
        #expect(try !keyed.matches(sealed, FileState(content: Array("option password 'y'\n".utf8))))
        let other = PlanSeal(key: Array("fedcba9876543210fedcba9876543210".utf8))
        #expect(try !other.matches(sealed, file))
        #expect(keyed.keyID != other.keyID)
    }

    /// The key's id is an HMAC under the key: a plain hash of it would let a weak key be guessed
    /// offline from any plan.
    @Test func theKeyIDIsAnHMACUnderTheKey() {
        let key = [UInt8](repeating: 0x5a, count: 32)
        let id = PlanSeal(key: key).keyID
        #expect(id == String(PlanSeal.hex(PlanSeal.hmac(key: key, message: Array("wrtform key id".utf8))).prefix(16)))
        #expect(id?.count == 16)
    }

    @Test func onlyStrongKeysAreTaken() {
        let hex = SHA256.hex(Array("a key".utf8))
        #expect(PlanSeal.key(parsing: hex) == SHA256.digest(Array("a key".utf8)))
        #expect(PlanSeal.key(parsing: " " + hex.uppercased() + "\n") == SHA256.digest(Array("a key".utf8)))
        let bytes = (0..<48).map { UInt8(($0 * 37 + 11) % 256) }
        #expect(PlanSeal.key(parsing: Data(bytes).base64EncodedString()) == bytes)
        for weak in [
            "", "correct horse battery staple", String(hex.prefix(62)), String(repeating: "0", count: 64),
            String(repeating: "ab", count: 32), Data(bytes.prefix(31)).base64EncodedString(), hex + "zz",
        ] {
            #expect(PlanSeal.key(parsing: weak) == nil, "\(weak)")
        }
    }

    static let key = SHA256.digest(Array("plan key".utf8))

    /// A plan of two hosts, made without a router.
    static func plan() throws -> SavedPlan {
        func host(_ name: String, _ target: String) -> String {
            """
            {"host": "\(name)", "target": "\(target)", "made": 1, "read": {}, "files": [], "services": [],
             "commands": [], "steps": [], "summary": "none"}
            """
        }
        let json = """
            {"kind": "wrtform-saved-plan", "format": \(SavedPlan.currentFormat), "wrtform_version": "\(WrtformVersion.current)",
             "playbook": {"path": "/p.yml", "name": "p", "digest": "d", "vars": ["a=1"], "var_files": [], "steps": [],
                          "allow_outside_templates": false, "prune": true, "force": false},
             "hosts": [\(host("gw", "root@10.0.0.1")), \(host("ap", "root@10.0.0.2")), \(host("ap2", "root@10.0.0.2"))]}
            """
        return try JSONDecoder().decode(SavedPlan.self, from: Data(json.utf8))
    }

    /// The file is its JSON and a MAC of its exact bytes: any byte changed, or another key, is refused.
    @Test func thePlanFileIsAuthenticated() throws {
        let seal = PlanSeal(key: Self.key)
        let bytes = try Self.plan().sealed(with: seal)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasSuffix("\"\n}\n"))
        #expect(text.contains("\"key_id\" : \"\(seal.keyID ?? "")\""))
        let document = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
        #expect((document?["mac"] as? String)?.count == 64, "the file is still JSON")
        let decoded = try SavedPlan.decode(bytes, path: "x.plan", seal: seal)
        #expect(decoded.playbook.vars == ["a=1"])
        #expect(decoded.hosts.map(\.host) == ["gw", "ap", "ap2"])
        // An editor's lost final newline is forgiven.
        #expect((try? SavedPlan.decode(Array(bytes.dropLast()), path: "x.plan", seal: seal)) != nil)

        func refusal(_ bytes: [UInt8], _ seal: PlanSeal = PlanSeal(key: Self.key)) -> String {
            do {
                _ = try SavedPlan.decode(bytes, path: "x.plan", seal: seal)
                return ""
            } catch {
                return "\(error)"
            }
        }
        let edited =
            "x.plan: the saved plan was edited or made with another plan key: make the plan again, "
            + "or set WRTFORM_PLAN_KEY to the key it was made with"
        #expect(refusal(Array(text.replacingOccurrences(of: "a=1", with: "a=2").utf8)) == edited)
        #expect(refusal(Array(text.replacingOccurrences(of: "\"mac\" : \"", with: "\"mac\" : \"0").utf8)) == edited)
        #expect(refusal(Array(text.replacingOccurrences(of: "  \"hosts\"", with: " \"hosts\"").utf8)) == edited)
        #expect(refusal(bytes + Array("\n".utf8)) == edited)
        #expect(refusal(try Self.plan().encoded()) == edited, "a plan without its MAC")
        #expect(refusal(bytes, PlanSeal(key: SHA256.digest(Array("other".utf8)))) == edited)
        #expect(refusal(bytes, PlanSeal(key: nil)).contains("no plan key on this machine to check the saved plan"))
        // Every byte of it counts: flip each one.
        for index in stride(from: 0, to: bytes.count, by: 7) {
            var flipped = bytes
            flipped[index] ^= 0x01
            #expect(refusal(flipped) != "", "byte \(index)")
        }
    }

    /// An entry by the host's name, else by the router it was made for when only one was.
    @Test func anEntryIsFoundByNameOrByItsOneTarget() throws {
        let plan = try Self.plan()
        #expect(try plan.entry(for: "gw", target: "root@10.0.0.9", path: "x").host == "gw")
        #expect(try plan.entry(for: "router", target: "root@10.0.0.1", path: "x").host == "gw")
        #expect(throws: EngineError.self) { try plan.entry(for: "router", target: "root@10.0.0.2", path: "x") }
        #expect(throws: EngineError.self) { try plan.entry(for: "router", target: "root@10.0.0.9", path: "x") }
        #expect(throws: EngineError.self) { try plan.entry(for: "router", path: "x") }
        #expect(throws: EngineError.self) { try plan.entry(for: nil, path: "x") }
    }

    @Test func filesThatAreNotPlansAreNamed() throws {
        let seal = PlanSeal(key: Self.key)
        func message(_ text: String) -> String {
            do {
                _ = try SavedPlan.decode(Array(text.utf8), path: "x.plan", seal: seal)
                return ""
            } catch {
                return "\(error)"
            }
        }
        let format = SavedPlan.currentFormat
        #expect(message("name: playbook\n").contains("x.plan is not a wrtform saved plan"))
        #expect(message("{\"kind\": \"wrtform-saved-plan\", \"format\": 9}").contains("format 9"))
        #expect(message("{\"kind\": \"wrtform-saved-plan\", \"format\": 1}").contains("format 1"))
        #expect(
            message("{\"kind\": \"wrtform-saved-plan\", \"format\": \(format), \"wrtform_version\": \"0.0.1\"}")
                .contains("x.plan was made by wrtform 0.0.1, this is wrtform \(WrtformVersion.current)"))
        // Damaged yet sealed (only wrtform itself could make one): named as damaged.
        var plan = try Self.plan()
        plan.hosts = []
        let text = String(decoding: try plan.sealed(with: seal), as: UTF8.self)
        let damaged = message(text.replacingOccurrences(of: "\"playbook\" :", with: "\"playbook_\" :"))
        #expect(damaged.contains("edited"), "\(damaged)")
        let body = Array(try plan.encoded()).dropLast(3)
        let renamed = String(decoding: body, as: UTF8.self).replacingOccurrences(of: "\"playbook\" :", with: "\"x\" :")
        let resealed = Array(renamed.utf8) + Array("\n}\n".utf8)
        let mac = seal.mac(resealed) ?? ""
        let file = String(decoding: resealed.dropLast(3), as: UTF8.self) + ",\n  \"mac\" : \"\(mac)\"\n}\n"
        #expect(message(file).contains("x.plan is a damaged saved plan ('playbook' is missing)"), "\(message(file))")
    }
}
