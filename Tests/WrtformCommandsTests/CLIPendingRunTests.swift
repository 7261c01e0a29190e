import Foundation
import Testing
import VirtualRouter

/// A pending run is first-class: Ctrl-C during apply says what the router will do and when; plan
/// refuses to plan over a run waiting for confirmation; `confirm` keeps it, `abort` restores it now.
/// The interruption goes to the real `wrtform` executable, as a user's Ctrl-C does.
@Suite(.serialized) struct CLIPendingRunTests {
    static let heldPlaybook = """
        name: held
        steps:
          - id: web
            redirect: { src: wan, src_dport: 8080, dest_ip: 192.168.1.20, dest_port: 80 }
        probes:
          - name: never passes
            command: "false"
        """

    static var executable: URL {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
            "wrtform")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        return CLI.repository.appendingPathComponent(".build/debug/wrtform")
    }

    /// The run id from apply's "wrote N file(s) (run ID)" line.
    static func runID(_ result: CLIResult) -> String? {
        result.stdout.split(separator: "\n").first { $0.hasPrefix("wrote ") }.flatMap {
            $0.split(separator: "(run ").last?.dropLast()
        }.map(String.init)
    }

    func read(_ router: VirtualRouter, _ path: String) -> String {
        (try? String(contentsOf: router.root.appendingPathComponent(String(path.dropFirst())), encoding: .utf8))
            ?? "<absent>"
    }

    /// Starts `wrtform apply` held in its verify (a probe that never passes), interrupts it there
    /// with `signal`, and returns its exit status and output.
    func interruptedApply(_ router: VirtualRouter, playbook: String, environment: [String: String], signal: Int32)
        throws -> CLIResult
    {
        let process = Process()
        process.executableURL = Self.executable
        process.arguments =
            ["apply", playbook, "--yes", "--confirm-timeout", "600", "--verify-timeout", "300"] + CLI.target(router)
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let collected = Collected()
        out.fileHandleForReading.readabilityHandler = { collected.append(out: $0.availableData) }
        err.fileHandleForReading.readabilityHandler = { collected.append(err: $0.availableData) }
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while !collected.stdout.contains("verifying") && process.isRunning && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.1)
        }
        Thread.sleep(forTimeInterval: 0.5)
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        Thread.sleep(forTimeInterval: 0.2)
        out.fileHandleForReading.readabilityHandler = nil
        err.fileHandleForReading.readabilityHandler = nil
        return CLIResult(code: process.terminationStatus, stdout: collected.stdout, stderr: collected.stderr)
    }

    @Test func interruptedApplyIsPendingUntilConfirmedOrAborted() async throws {
        let state = try CLI.temporaryDirectory()
        let path = try CLI.playbook(Self.heldPlaybook, named: "held.yml")
        try await withVirtualRouter { router in
            let target = CLI.target(router)
            let environment = CLI.environment(state: state)
            let before = read(router, "/etc/config/firewall")

            // Ctrl-C: the run is written and waits; wrtform says so, with when and what to do.
            let first = try interruptedApply(router, playbook: path, environment: environment, signal: SIGINT)
            #expect(first.code == 130, "\(first.all)")
            let runID = try #require(Self.runID(first), "\(first.all)")
            #expect(
                first.stderr.contains("interrupted: run \(runID) is not confirmed: the router restores it at "),
                "\(first.stderr)")
            #expect(
                first.stderr.contains(
                    "UTC (router time); `wrtform confirm \(runID)` keeps it, `wrtform abort \(runID)` restores it now"))

            // plan and apply say so before any diff, and exit non-zero.
            let plan = await CLI.run(["plan", path] + target, environment: environment)
            #expect(plan.code == 1)
            #expect(plan.stdout.isEmpty)
            #expect(
                plan.stderr.contains(
                    "run \(runID) (held) on root@\(router.host):\(router.port) is waiting for confirmation"),
                "\(plan.stderr)")
            #expect(
                plan.stderr.contains("`wrtform confirm \(runID)` keeps it, `wrtform abort \(runID)` restores it now"))
            let apply = await CLI.run(["apply", path, "--yes", "--json"] + target, environment: environment)
            #expect(apply.code == 1)
            let document = try JSONSerialization.jsonObject(with: Data(apply.stdout.utf8)) as? [String: Any]
            #expect(document?["run_id"] as? String == runID)
            #expect(document?["status"] as? String == "pending")
            #expect(document?["target"] as? String == "root@\(router.host):\(router.port)")

            // abort: the old files now, the lock released.
            let abort = await CLI.run(["abort", runID] + target, environment: environment)
            #expect(abort.code == 0, "\(abort.all)")
            #expect(abort.stdout.contains("Aborted run \(runID)"))
            #expect(read(router, "/etc/config/firewall") == before)
            let again = await CLI.run(["abort", runID] + target, environment: environment)
            #expect(again.stdout.contains("Run \(runID) is restored already"))
            let history = await CLI.run(["history", "--json"] + target, environment: environment)
            #expect(history.stdout.contains("\"status\" : \"restored\""))

            // SIGTERM the second time; confirm keeps it.
            let second = try interruptedApply(router, playbook: path, environment: environment, signal: SIGTERM)
            #expect(second.code == 143, "\(second.all)")
            let secondID = try #require(Self.runID(second), "\(second.all)")
            #expect(second.stderr.contains("interrupted: run \(secondID) is not confirmed"))
            let confirm = await CLI.run(["confirm", secondID] + target, environment: environment)
            #expect(confirm.code == 0, "\(confirm.all)")
            #expect(confirm.stdout.contains("Confirmed run \(secondID)"))
            #expect(read(router, "/etc/config/firewall").contains("option dest_ip '192.168.1.20'"))
            let after = await CLI.run(["plan", path] + target, environment: environment)
            #expect(after.code == 0, "\(after.all)")
            let done = await CLI.run(["abort", secondID] + target, environment: environment)
            #expect(done.code == 1)
            #expect(
                done.stderr.contains(
                    "run \(secondID) was confirmed: it stands (`wrtform rollback \(secondID)` undoes it)"))
            let unknown = await CLI.run(["confirm", "20990101T000000Z-0000"] + target, environment: environment)
            #expect(unknown.code == 1)
            #expect(unknown.stderr.contains("has no run 20990101T000000Z-0000"))
        }
    }
}

final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var out = Data()
    private var err = Data()
    func append(out data: Data) { lock.withLock { out.append(data) } }
    func append(err data: Data) { lock.withLock { err.append(data) } }
    var stdout: String { lock.withLock { String(decoding: out, as: UTF8.self) } }
    var stderr: String { lock.withLock { String(decoding: err, as: UTF8.self) } }
}
