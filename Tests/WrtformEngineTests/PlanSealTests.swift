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

    @Test func filesThatAreNotPlansAreNamed() {
        func message(_ text: String) -> String {
            do {
                _ = try SavedPlan.decode(Array(text.utf8), path: "x.plan")
                return ""
            } catch {
                return "\(error)"
            }
        }
        #expect(message("name: playbook\n").contains("x.plan is not a wrtform saved plan"))
        #expect(message("{\"kind\": \"wrtform-saved-plan\", \"format\": 9}").contains("format 9"))
        #expect(
            message("{\"kind\": \"wrtform-saved-plan\", \"format\": 1, \"wrtform_version\": \"0.0.1\"}")
                .contains("x.plan was made by wrtform 0.0.1, this is wrtform \(WrtformVersion.current)"))
        let damaged = message(
            "{\"kind\": \"wrtform-saved-plan\", \"format\": 1, \"wrtform_version\": \"\(WrtformVersion.current)\", \"hosts\": []}"
        )
        #expect(damaged.contains("x.plan is a damaged saved plan ('playbook' is missing)"), "\(damaged)")
    }
}
