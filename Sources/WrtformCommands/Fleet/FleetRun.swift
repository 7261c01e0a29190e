import Foundation

/// Runs one command line per host with a buffering console each, at most `parallel` at once.
struct FleetRun {
    static let commands = ["validate", "plan", "apply", "rollback", "history", "facts", "doctor"]

    struct HostResult: Sendable {
        var host: String
        var code: Int32
        var stdout: String
        var stderr: String
        var seconds: Double
        /// What the command noted for the summary (plan counts, run ID, failure).
        var outcome = FleetNotes.Outcome()
        var failed: Bool { code != WrtformExit.success && code != WrtformExit.changesPending }
    }

    var command: [String]
    var inventory: String
    var parallel: Int

    func run(_ hosts: [String], console: Console) async -> [HostResult] {
        var results: [HostResult?] = Array(repeating: nil, count: hosts.count)
        await withTaskGroup(of: (Int, HostResult).self) { group in
            var next = 0
            func start() {
                let index = next
                let host = hosts[index]
                let arguments = command + ["--inventory", inventory, "--limit", host]
                next += 1
                group.addTask { (index, await Self.runOne(host: host, arguments: arguments, console: console)) }
            }
            while next < hosts.count && next < parallel { start() }
            while let (index, result) = await group.next() {
                results[index] = result
                if next < hosts.count { start() }
            }
        }
        return results.compactMap { $0 }
    }

    /// One host, its output kept whole until the fleet prints it.
    static func runOne(host: String, arguments: [String], console: Console) async -> HostResult {
        let buffer = FleetBuffer()
        var captured = console
        captured.out = { text in buffer.append(text, error: false) }
        captured.err = { text in buffer.append(text, error: true) }
        captured.readLine = { nil }
        captured.isInteractive = false
        let notes = FleetNotes()
        let started = Date()
        let code = await FleetNotes.$current.withValue(notes) {
            await Console.$current.withValue(captured) { await Wrtform.run(arguments: arguments) }
        }
        let (out, err) = buffer.contents
        return HostResult(
            host: host, code: code, stdout: out, stderr: err, seconds: Date().timeIntervalSince(started),
            outcome: notes.snapshot)
    }

    /// 1 if any host failed, else 2 if any has pending changes, else 0.
    static func exitCode(_ codes: [Int32]) -> Int32 {
        if codes.contains(where: { $0 != WrtformExit.success && $0 != WrtformExit.changesPending }) {
            return WrtformExit.failure
        }
        return codes.contains(WrtformExit.changesPending) ? WrtformExit.changesPending : WrtformExit.success
    }
}

/// A host's captured output (written from its own task only, read after it ends).
final class FleetBuffer: @unchecked Sendable {
    private let lock = NSLock()
    private var out = ""
    private var err = ""

    func append(_ text: String, error: Bool) {
        lock.withLock {
            if error { err += text } else { out += text }
        }
    }

    var contents: (String, String) { lock.withLock { (out, err) } }
}
