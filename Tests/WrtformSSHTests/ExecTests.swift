import Foundation
import Testing
import VirtualRouter
import WrtformSSH

/// Commands through real SSH to the virtual router: streams kept apart, large transfers
/// without deadlock, bytes kept exactly.
@Suite struct ExecTests {
    @Test func exitStatusStdoutAndStderrAreKeptApart() async throws {
        try await withVirtualRouter { router in
            let connection = try await SSHTestSupport.connect(router)
            let mixed = try await connection.exec("echo out; echo err >&2; echo more; exit 3")
            #expect(mixed.stdoutText == "out\nmore\n")
            #expect(mixed.stderrText == "err\n")
            #expect(mixed.exitStatus == 3)
            #expect(mixed.exitSignal == nil)

            let ok = try await connection.exec("true")
            #expect(ok.exitStatus == 0 && ok.stdout.isEmpty && ok.stderr.isEmpty)

            let killed = try await connection.exec("kill -TERM $$; sleep 5")
            #expect(killed.exitSignal == "TERM")
            #expect(killed.exitStatus == 143)

            #expect(await connection.execCount == 3)
            #expect(
                try router.commandLog().suffix(3) == [
                    "echo out; echo err >&2; echo more; exit 3", "true", "kill -TERM $$; sleep 5",
                ])
            await connection.close()
        }
    }

    @Test func twoMiBOfStdinRoundTripIntact() async throws {
        try await withVirtualRouter { router in
            let connection = try await SSHTestSupport.connect(router)
            let input = SSHTestSupport.randomBytes(2 * 1024 * 1024)

            // `cat` echoes while we still write: reading and writing must interleave.
            let echoed = try await connection.exec("cat", stdin: input, timeout: .seconds(60))
            #expect(echoed.exitStatus == 0)
            #expect(echoed.stdout.count == input.count)
            #expect(echoed.stdout == input)

            let summed = try await connection.exec("sha256sum", stdin: input, timeout: .seconds(60))
            let remote = String(summed.stdoutText.prefix(64))
            #expect(remote == (try SSHTestSupport.sha256Hex(input)))
            await connection.close()
        }
    }

    @Test func commandsThatStopReadingStdinEarlyStillFinish() async throws {
        try await withVirtualRouter { router in
            let connection = try await SSHTestSupport.connect(router)
            let input = SSHTestSupport.randomBytes(2 * 1024 * 1024)
            let ignored = try await connection.exec("true", stdin: input, timeout: .seconds(30))
            #expect(ignored.exitStatus == 0)
            let head = try await connection.exec("head -c 10", stdin: input, timeout: .seconds(30))
            #expect(head.stdout == Array(input.prefix(10)))
            #expect(try await connection.exec("echo fine").stdoutText == "fine\n")
            await connection.close()
        }
    }

    @Test func fourMiBOnStderrWithLittleOnStdoutDoesNotHang() async throws {
        try await withVirtualRouter { router in
            let connection = try await SSHTestSupport.connect(router)
            let started = ContinuousClock.now
            let result = try await connection.exec(
                "echo begin; head -c 4194304 /dev/zero | tr '\\000' e >&2; echo end", timeout: .seconds(60))
            print("4 MiB on stderr: \(SSHTestSupport.milliseconds(since: started)) ms")
            #expect(result.exitStatus == 0)
            #expect(result.stdoutText == "begin\nend\n")
            #expect(result.stderr.count == 4 * 1024 * 1024)
            #expect(result.stderr.allSatisfy { $0 == UInt8(ascii: "e") })
            await connection.close()
        }
    }

    @Test func nonUTF8OutputAndNonASCIICommandsSurvive() async throws {
        try await withVirtualRouter { router in
            let connection = try await SSHTestSupport.connect(router)
            let binary = try await connection.exec("printf '\\377\\376abc\\200\\000z'; printf '\\300' >&2")
            #expect(binary.stdout == [0xFF, 0xFE, 0x61, 0x62, 0x63, 0x80, 0x00, 0x7A])
            #expect(binary.stderr == [0xC0])

            let command = "printf '%s' 'Grüße, 日本 — ok'"
            let text = try await connection.exec(command)
            #expect(text.stdout == Array("Grüße, 日本 — ok".utf8))
            #expect(try router.commandLog().last == command)

            let stdin = Array("zoë\u{0}\u{FF}".utf8) + [0xFF, 0x00]
            let echoed = try await connection.exec("cat", stdin: stdin)
            #expect(echoed.stdout == stdin)
            await connection.close()
        }
    }

    @Test func manyCommandsOnOneConnection() async throws {
        try await withVirtualRouter { router in
            let connection = try await SSHTestSupport.connect(router)
            for index in 0..<20 {
                let result = try await connection.exec("echo \(index)")
                #expect(result.stdoutText == "\(index)\n")
            }
            #expect(await connection.execCount == 20)
            await connection.close()
        }
    }
}
