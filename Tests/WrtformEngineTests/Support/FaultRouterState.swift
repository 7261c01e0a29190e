import Foundation
import Testing
import VirtualRouter
import WrtformEngine

/// Helpers the fault-injection tests share: bounded polling, and what the router's files are
/// compared with the states before and after a plan.
enum Fault {
    /// Polls `condition` until it holds or `timeout` passes; whether it held.
    static func eventually(
        _ timeout: Duration, every interval: Duration = .milliseconds(50), _ condition: () throws -> Bool
    ) async rethrows -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            if try condition() { return true }
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: interval)
        }
    }

    /// The router's /etc as it should be once `plan` is applied and confirmed.
    static func after(_ before: [String: Data], _ plan: Plan) -> [String: Data] {
        var files = before
        for file in plan.files {
            files[file.path] = file.new.content.map { Data($0) }
        }
        return files
    }

    static let options = ApplyOptions(owner: "tester@ci", playbook: "fault", confirmTimeout: 30, verifyTimeout: 2)

    static func plan(_ graph: StepGraph, _ target: any RouterTarget) async throws -> Plan {
        let snapshot = try await target.snapshot(paths: Planner.paths(for: graph), run: nil)
        return try Planner().plan(graph, on: snapshot)
    }
}

/// Where the router's files stand against the states before and after a run.
enum FileOutcome: Equatable, CustomStringConvertible {
    case before
    case after
    /// Neither: these paths differ from both.
    case mixed([String])

    var description: String {
        switch self {
        case .before: return "before"
        case .after: return "after"
        case .mixed(let paths): return "a mix (\(paths.joined(separator: ", ")))"
        }
    }
}

extension VirtualRouter {
    /// Compares every file under /etc (the journal aside) with both states.
    func outcome(before: [String: Data], after: [String: Data]) -> FileOutcome {
        let now = etc()
        if now == before { return .before }
        if now == after { return .after }
        let paths = Set(now.keys).union(before.keys).union(after.keys)
        return .mixed(
            paths.filter { now[$0] != before[$0] && now[$0] != after[$0] }.sorted()
                + paths.filter { now[$0] != before[$0] && now[$0] == after[$0] }.sorted().map { $0 + " (new)" })
    }

    func runIDs() -> [String] {
        let runs = root.appendingPathComponent("etc/wrtform/runs")
        return ((try? FileManager.default.contentsOfDirectory(atPath: runs.path)) ?? []).sorted()
    }

    /// The status file of a run ("pending", "done", "reverted", …), nil when there is none.
    func runStatus(_ runID: String) -> String? {
        let text = read("/etc/wrtform/runs/\(runID)/status")
        return text == "<absent>" ? nil : text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The only run on the router (fault tests make one).
    func onlyRun() throws -> String {
        let ids = runIDs()
        try #require(ids.count == 1, "expected one run on the router, found \(ids)")
        return ids[0]
    }

    var lockHeld: Bool { exists("/var/lock/wrtform") }
    var bootHookInstalled: Bool { exists("/etc/uci-defaults/99-wrtform-restore") }

    /// Processes in the router whose command line mentions `text` (e.g. a run id): a reload or
    /// watchdog still running.
    func processes(mentioning text: String) throws -> [String] {
        let run = try runInSandbox(
            """
            for p in /proc/[0-9]*; do
                [ "${p#/proc/}" = "$$" ] && continue
                c=$(tr '\\0' ' ' < "$p/cmdline" 2>/dev/null)
                case "$c" in *\(text)*) echo "${p#/proc/}: $(echo "$c" | head -c 60 | tr '\n' ' ')" ;; esac
            done
            """)
        return run.output.split(separator: "\n").map(String.init).filter { !$0.contains("for p in /proc") }
    }

    /// Mode bits of everything under the journal directory, as (path, mode, isDirectory).
    func journalModes() -> [(path: String, mode: Int, isDirectory: Bool)] {
        let base = root.appendingPathComponent("etc/wrtform")
        var result: [(String, Int, Bool)] = []
        let keys: [URLResourceKey] = [.isDirectoryKey]
        guard
            let walker = FileManager.default.enumerator(
                at: base.appendingPathComponent("runs"), includingPropertiesForKeys: keys)
        else {
            return []
        }
        var urls = [base.appendingPathComponent("runs")]
        for case let url as URL in walker { urls.append(url) }
        for url in urls {
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
                let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue
            else { continue }
            let isDirectory = attributes[.type] as? FileAttributeType == .typeDirectory
            result.append((String(url.path.dropFirst(root.path.count)), mode, isDirectory))
        }
        return result
    }

    /// What OpenWrt's boot does with /etc/uci-defaults (/etc/init.d/boot: uci_apply_defaults):
    /// each script is sourced in a subshell from that directory and deleted when it exits 0.
    /// Run it in a router that was stopped ("rebooted") with `killSSHServer()`; /tmp (a RAM
    /// disk on OpenWrt, holding /var/lock) starts empty as after a reboot.
    func bootUCIDefaults() throws -> SandboxRun {
        try runInSandbox(
            """
            rm -rf /tmp/* /tmp/.[!.]*
            mkdir -p /tmp/run /tmp/lock /tmp/log /tmp/state
            cd /etc/uci-defaults || exit 0
            for f in *; do
                [ -f "$f" ] || continue
                ( . "./$f" ) && rm -f "$f"
            done
            """)
    }
}

extension Fault {
    /// Runs blocking work (a `runInSandbox` that waits at a fault point) off the cooperative
    /// pool, so a paused router never starves the tests' own tasks.
    static func background<T: Sendable>(_ body: @escaping @Sendable () throws -> T) -> Task<T, any Error> {
        Task {
            try await withCheckedThrowingContinuation { continuation in
                Thread.detachNewThread {
                    continuation.resume(with: Result { try body() })
                }
            }
        }
    }
}
