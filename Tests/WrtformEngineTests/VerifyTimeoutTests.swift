import Testing
import VirtualRouter
import WrtformEngine

/// The post-reload checks may poll longer than the command timeout (`--verify-timeout` over 120 s):
/// the verify round trip is given its polling time and a margin, or the checks could never pass.
@Suite struct VerifyTimeoutTests {
    @Test func checksPollPastTheCommandTimeout() async throws {
        try await withVirtualRouter { router in
            let target = router.sshTarget(commandTimeout: .seconds(1))
            let slow = PostCheck("a check that takes 3 s", command: "sleep 3", needsNetifd: false)
            let outcome = try await target.finish(
                FinishRequest(runID: "20261204T000000Z-00000", checks: [slow], pollTimeout: 6, confirm: false))
            #expect(outcome.results.map(\.status) == [.ok])
            #expect(!outcome.confirmed)
        }
    }
}
