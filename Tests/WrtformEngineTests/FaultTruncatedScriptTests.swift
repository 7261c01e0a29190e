import Foundation
import Testing
import VirtualRouter
import WrtformSSH

@testable import WrtformEngine

/// A connection cut while a script is still arriving: `dd` on the router gets its first part only.
/// ash would run that part line by line — half a confirmation, half a restore; sent as one group,
/// it runs whole or not at all. Here each script is cut at several bytes, exactly, by closing
/// stdin early (what the router sees when the connection drops).
@Suite struct FaultTruncatedScriptTests {
    func connect(_ router: VirtualRouter) async throws -> SSHConnection {
        try await SSHConnection.connect(
            to: SSHTarget(host: router.host, port: router.port, user: "root"),
            hostKeyPolicy: .fingerprint(router.hostKeyFingerprint),
            credentials: SSHCredentials(agent: false, identityFiles: [router.clientKeyFile]))
    }

    /// Sends `script` announced at its full length but cut after `count` bytes; returns the exit status.
    func sendCut(_ script: String, at count: Int, stdin payload: [UInt8] = [], on connection: SSHConnection)
        async throws -> Int32
    {
        let bytes = Array(SSHScriptRunner.wrap(script).utf8)
        let command = SSHScriptRunner.command(scriptLength: bytes.count)
        return try await connection.exec(command, stdin: Array(bytes.prefix(count)) + payload, timeout: .seconds(20))
            .exitStatus
    }

    static func cuts(_ length: Int) -> [Int] {
        [1, length / 4, length / 2, length * 3 / 4, length - 3, length - 2]
    }

    @Test func cutWriteRunsNothingAndCutPayloadAbandonsTheRun() async throws {
        try await withVirtualRouter { router in
            let target = router.sshTarget()
            let before = router.etc()
            let plan = try await Fault.plan(try StepBuilder.ocn(), target)
            await target.close()
            let transaction = WriteTransaction(
                runID: "20260101T000000Z-cut0", owner: "tester@ci",
                files: plan.files.map { WriteTransaction.File(path: $0.path, expectedHash: $0.old.hash, new: $0.new) },
                journal: Array("{}".utf8), summary: "0\tcut\t", services: plan.services)
            let payload = WriteScript.make(transaction, watchdog: 30)
            let connection = try await connect(router)
            for cut in Self.cuts(SSHScriptRunner.wrap(payload.script).utf8.count) {
                let status = try await sendCut(payload.script, at: cut, on: connection)
                #expect(status != 0, "cut at \(cut): the script ran")
                #expect(!router.lockHeld, "cut at \(cut): lock taken")
                #expect(router.runIDs().isEmpty, "cut at \(cut): a run was started")
                #expect(router.etc() == before)
            }
            // The whole script, but the payload cut short: the write abandons itself.
            let whole = SSHScriptRunner.wrap(payload.script).utf8.count
            for cut in [0, payload.stdin.count / 2, payload.stdin.count - 1] {
                let status = try await sendCut(
                    payload.script, at: whole, stdin: Array(payload.stdin.prefix(cut)), on: connection)
                #expect(status == 0)
                #expect(router.runStatus(transaction.runID) == "aborted", "payload cut at \(cut)")
                #expect(!router.exists("/etc/wrtform/runs/\(transaction.runID)/payload"))
                #expect(!router.bootHookInstalled)
                #expect(!router.lockHeld)
                #expect(router.etc() == before)
                _ = try router.runInSandbox("rm -rf /etc/wrtform/runs/\(transaction.runID)")
            }
            await connection.close()
        }
    }

    @Test func cutConfirmationOrRestoreChangesNothing() async throws {
        try await withVirtualRouter { router in
            // A run waiting for confirmation: the firewall's reload stopped SSH; bring SSH back.
            try router.setServiceBehavior(WatchdogTests.cutOff, for: "firewall")
            let target = router.sshTarget()
            let before = router.etc()
            let plan = try await Fault.plan(try StepBuilder.ocn(), target)
            let after = Fault.after(before, plan)
            await #expect(throws: EngineError.self) {
                _ = try await Applier(options: ApplyOptions(owner: "tester@ci", playbook: "cut", confirmTimeout: 120))
                    .apply(plan, to: target)
            }
            await target.close()
            try await router.restartSSHServer()
            let runID = try router.onlyRun()
            let waiting = router.etc()
            #expect(router.runStatus(runID) == "pending")
            let calls = try router.serviceCalls().count
            let connection = try await connect(router)

            let scripts = [
                ("finish", FinishScript.make(FinishRequest(runID: runID, checks: [], pollTimeout: 0))),
                ("restore", RestoreScript.make(runID: runID, status: "restored")),
                ("reload", ReloadScript.make(ReloadRequest(runID: runID, services: plan.services, confirmTimeout: 5))),
            ]
            for (name, script) in scripts {
                for cut in Self.cuts(SSHScriptRunner.wrap(script).utf8.count) {
                    let status = try await sendCut(script, at: cut, on: connection)
                    #expect(status != 0, "\(name) cut at \(cut) ran")
                    #expect(router.runStatus(runID) == "pending", "\(name) cut at \(cut)")
                    #expect(router.etc() == waiting, "\(name) cut at \(cut) changed files")
                    #expect(router.lockHeld)
                    #expect(
                        try router.processes(mentioning: runID).contains { $0.contains("/watchdog") },
                        "\(name) cut at \(cut) stopped the watchdog")
                    #expect(try router.serviceCalls().count == calls)
                }
            }
            // Whole, the same confirmation goes through: the cut ones were refused, not broken.
            let whole = try await connection.exec(
                SSHScriptRunner.command(scriptLength: SSHScriptRunner.wrap(scripts[0].1).utf8.count),
                stdin: Array(SSHScriptRunner.wrap(scripts[0].1).utf8), timeout: .seconds(20))
            #expect(whole.stdoutText.contains("CONFIRMED"), "\(whole.stdoutText)\(whole.stderrText)")
            #expect(router.runStatus(runID) == "done")
            #expect(router.etc() == after)
            #expect(!router.lockHeld)
            await connection.close()
        }
    }
}
