import Testing

@testable import WrtformEngine

/// The package round trip's answer is router input: what it names goes into an error line on the
/// user's terminal, so a name that is not a package name (an escape sequence, a second line) is
/// never taken from it.
@Suite struct CommandOutputTrustTests {
    @Test func installedNamesAreHeldToThePackageNameRules() throws {
        let answer =
            "I kmod-ip6-tunnel\nI \u{1B}[2Jx\nR ../../etc\nS sysntpd\u{7} stop\nFAIL unknown install nope\nOUT x\n"
        let outcome = try CommandScript.parse(Array(answer.utf8), manager: "opkg")
        #expect(outcome.installed == ["kmod-ip6-tunnel"])
        #expect(outcome.removed.isEmpty)
        #expect(outcome.switched.isEmpty)
        #expect(outcome.failure?.contains("\u{1B}") == false)
    }
}
