import Foundation
import Testing
import VirtualRouter
import WrtformSSH

/// A router that streams without end cannot fill this machine's memory: each command's output
/// (stdout and stderr together) is capped, and the connection stays usable.
@Suite struct OutputLimitTests {
    @Test func endlessOutputStopsAtTheDefaultLimit() async throws {
        try await withVirtualRouter { router in
            let connection = try await SSHTestSupport.connect(router)
            let started = ContinuousClock.now
            let error = await #expect(throws: SSHError.self) {
                _ = try await connection.exec("cat /dev/zero", timeout: .seconds(300))
            }
            print("after \(SSHTestSupport.milliseconds(since: started)) ms: \(String(describing: error))")
            #expect(error?.kind == .outputTooLarge)
            #expect(error?.description.contains("sent more than 64 MB of output for one command") == true)
            #expect(SSHConnection.defaultOutputLimit == 64 << 20)
            if await connection.isConnected {
                #expect(try await connection.exec("echo still").stdoutText == "still\n")
            }
            await connection.close()
        }
    }

    @Test func stdoutAndStderrCountTogether() async throws {
        try await withVirtualRouter { router in
            let connection = try await SSHTestSupport.connect(router)
            let limit = 1 << 20
            let both = "head -c 600000 /dev/zero; head -c 600000 /dev/zero >&2"
            let error = await #expect(throws: SSHError.self) {
                _ = try await connection.exec(both, timeout: .seconds(60), outputLimit: limit)
            }
            #expect(error?.kind == .outputTooLarge)
            #expect(error?.description.contains("more than 1 MB") == true)
            #expect(error?.description.contains("the connection is still open") == true)
            #expect(try await connection.exec("echo next").stdoutText == "next\n")

            let fits = try await connection.exec(
                "head -c 500000 /dev/zero; head -c 500000 /dev/zero >&2", outputLimit: limit)
            #expect(fits.stdout.count == 500_000 && fits.stderr.count == 500_000)
            await connection.close()
        }
    }
}
