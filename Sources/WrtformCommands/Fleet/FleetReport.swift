import Foundation
import WrtformEngine

/// The fleet's summary: a table (host, result, time) after the hosts' output, or with `--json` one
/// document whose `hosts` array holds each host's own JSON document plus its name, result and time.
enum FleetReport {
    /// One short line: plan counts, the applied run, the failure's reason, or ok.
    static func result(_ host: FleetRun.HostResult, command: String) -> String {
        let outcome = host.outcome
        if host.failed {
            return "failed: " + (outcome.failure ?? reason(inStderr: host.stderr) ?? "exit \(host.code)")
        }
        let status = outcome.runStatus.flatMap { $0 == RunStatus.done.rawValue ? nil : " (\($0))" } ?? ""
        switch command {
        case "apply":
            if let run = outcome.runID { return "applied run \(run)\(status)" }
            if outcome.counts != nil { return "no changes" }
        case "rollback":
            if let run = outcome.runID { return "rolled back in run \(run)\(status)" }
        case "plan":
            if let counts = outcome.counts {
                return outcome.pending
                    ? "\(counts.add) to add, \(counts.change) to change, \(counts.remove) to remove" : "no changes"
            }
        default:
            break
        }
        return host.code == WrtformExit.changesPending ? "changes pending" : "ok"
    }

    /// A failure the command printed itself (an option it refused before running): its `error:` line.
    static func reason(inStderr stderr: String) -> String? {
        let lines = stderr.split(separator: "\n").map(String.init).filter {
            !$0.trimmingCharacters(in: .whitespaces).isEmpty
        }
        if let error = lines.first(where: { $0.lowercased().hasPrefix("error: ") }) {
            return String(error.dropFirst("error: ".count))
        }
        return lines.last
    }

    static func table(_ results: [FleetRun.HostResult], notAttempted: [String], command: String) -> String {
        var rows = results.map { ($0.host, result($0, command: command), String(format: "%.1f s", $0.seconds)) }
        rows += notAttempted.map { ($0, "not attempted", "-") }
        let hostWidth = max(4, rows.map(\.0.count).max() ?? 0)
        // Long failure reasons run past the column rather than widen every line.
        let resultWidth = min(48, max(6, rows.map(\.1.count).max() ?? 0))
        func line(_ host: String, _ result: String, _ time: String) -> String {
            host.padding(toLength: hostWidth, withPad: " ", startingAt: 0) + "  "
                + (result.count < resultWidth
                    ? result.padding(toLength: resultWidth, withPad: " ", startingAt: 0)
                    : result) + "  " + time + "\n"
        }
        return "\n" + line("host", "result", "time") + rows.map { line($0.0, $0.1, $0.2) }.joined()
    }

    /// `{"format": 1, "wrtform_version", "command": "fleet", "subcommand", "exit_code", "hosts": [...]}`: each
    /// host's entry is its command's own document with `host`, `result`, `seconds` and `exit_code` added
    /// (a command that printed no document gets `error.message` from its reason); `saved_plan`, the
    /// file `fleet … plan --out FILE` wrote.
    static func json(
        _ results: [FleetRun.HostResult], notAttempted: [String], command: String, exitCode: Int32,
        error: EngineError? = nil, savedPlan: String? = nil
    ) -> String {
        var hosts: [[String: Any]] = results.map { host in
            var entry: [String: Any] =
                (try? JSONSerialization.jsonObject(with: Data(host.stdout.utf8))) as? [String: Any] ?? [:]
            if entry.isEmpty {
                entry = ["format": 1, "wrtform_version": WrtformVersion.current, "command": command]
                if host.failed {
                    entry["error"] = ["message": host.outcome.failure ?? reason(inStderr: host.stderr) ?? ""]
                }
            }
            entry["host"] = host.host
            entry["result"] = result(host, command: command)
            entry["seconds"] = (host.seconds * 1000).rounded() / 1000
            entry["exit_code"] = Int(host.code)
            return entry
        }
        hosts += notAttempted.map { ["host": $0, "result": "not attempted"] }
        var document: [String: Any] = [
            "format": 1, "wrtform_version": WrtformVersion.current, "command": "fleet", "subcommand": command,
            "exit_code": Int(exitCode), "hosts": hosts,
        ]
        if let savedPlan { document["saved_plan"] = savedPlan }
        // What failed after the hosts ran (the saved plans' file could not be written).
        if let error {
            var failure: [String: Any] = ["kind": error.kind.description, "message": error.message]
            failure["hint"] = error.hint
            document["error"] = failure
        }
        guard
            let data = try? JSONSerialization.data(
                withJSONObject: document, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        else {
            return "{\"format\": 1, \"error\": {\"message\": \"could not encode the fleet report\"}}"
        }
        return String(decoding: data, as: UTF8.self)
    }
}
