import Foundation
import Testing
import VirtualRouter
import WrtformEngine

/// Everything wrtform runs on the router uses only what a stock 24.10 image has. The virtual router
/// offers exactly that set (busybox applets as OpenWrt builds them, logger/logread/lock, no uci, nft,
/// fw4 or ifstatus, whose use our scripts must guard). Here its /bin/sh records every script it runs
/// and traces it (see TrapsRouter.installTracingShell); after a full apply (watchdog armed), a failed
/// apply (restore, unwind), doctor and a rollback:
/// - nothing printed "not found" (script stderr, traces, probe outputs);
/// - every command name the traces show resolves on the router (`command -v`) or is a function one of
///   our scripts defines (a pipeline's sides trace at once and garble each other's lines: those
///   lines are left out, so commands only ever run inside a pipeline are covered by the next check);
/// - no script names a tool a stock image lacks (nohup, setsid, timeout, stat, realpath, base64,
///   sha1sum, bash, python, curl) in command position — this also covers commands run inside
///   subshells whose stderr, and so their trace, goes to /dev/null (post-checks).
@Suite struct TrapsStockToolsTests {
    static let missingOnStock = [
        "nohup", "setsid", "timeout", "stat", "realpath", "base64", "sha1sum", "bash", "python", "python3", "curl",
    ]

    @Test func onlyStockCommandsRunOnTheRouter() async throws {
        try await withVirtualRouter { router in
            try TrapsRouter.installTracingShell(router)
            // nslookup asks loopback only: nothing listens there, it fails fast.
            try router.write("/etc/resolv.conf", "nameserver 127.0.0.1\n")
            let target = router.sshTarget()
            let graph = try DoctorRecipe.graph()

            // A failed apply: the firewall reload fails, the router unwinds.
            try router.setServiceBehavior(.fail(2), for: "firewall")
            await #expect(throws: EngineError.self) {
                try await Applier(options: TrapsRouter.options()).apply(
                    try await TrapsRouter.plan(graph, target), to: target)
            }
            try router.setServiceBehavior(.succeed, for: "firewall")
            // A full apply with the watchdog armed, then doctor, then rollback.
            let result = try await Applier(options: TrapsRouter.options(confirmTimeout: 60)).apply(
                try await TrapsRouter.plan(graph, target), to: target)
            #expect(result.status == .done)
            let doctor = try DoctorRecipe.doctor(hostnames: ["wrtform-doctor.invalid"])
            let snapshot = try await target.snapshot(paths: doctor.paths, run: nil, probes: doctor.probes)
            let findings = doctor.examine(snapshot)
            #expect(findings.first { $0.id == "hook-syntax" }?.status == .ok)
            let undo = try Rollback().plan(try await target.snapshot(paths: [], run: "last"))
            _ = try await Rollback().apply(undo, with: Applier(options: TrapsRouter.options()), to: target)
            await target.close()

            let problems = try Self.audit(
                router, probeOutputs: snapshot.probes.values.map(\.output),
                expecting: [
                    "mktemp", "start-stop-daemon", "sync", "mv", "cp", "chmod", "chown", "date", "ip", "sh",
                    "/etc/init.d/firewall",
                ])
            #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        }
    }

    /// The audit finds a tool a stock router lacks, even with its stderr thrown away.
    @Test func theAuditSeesAMissingTool() async throws {
        try await withVirtualRouter { router in
            try TrapsRouter.installTracingShell(router)
            let target = router.sshTarget()
            let probes = [
                RouterProbe("quiet", command: "realpath /etc >/dev/null 2>&1; echo done"),
                RouterProbe("loud", command: "x=$(nohup true); echo $x"),
            ]
            let snapshot = try await target.snapshot(paths: [], run: nil, probes: probes)
            await target.close()
            let problems = try Self.audit(
                router, probeOutputs: snapshot.probes.values.map(\.output), expecting: ["realpath"])
            #expect(problems.contains("not on a stock router: realpath"))
            #expect(problems.contains("not on a stock router: nohup"))
            #expect(problems.contains { $0.hasPrefix("not found: ") && $0.contains("nohup") })
            #expect(
                problems.contains {
                    $0.hasPrefix("a stock 24.10 lacks what this runs: ") && $0.contains("realpath /etc")
                })
        }
    }

    /// What the tracing shell saw, checked: every problem as one line (empty: all stock).
    static func audit(_ router: VirtualRouter, probeOutputs: [String], expecting: [String]) throws -> [String] {
        var problems: [String] = []
        let trace = router.read(TrapsRouter.traceFile) + "\n" + probeOutputs.joined(separator: "\n")
        let scripts = router.read(TrapsRouter.scriptsFile).split(separator: "\0").map(String.init)
        if scripts.isEmpty { problems.append("the tracing shell saw no script") }

        for line in trace.split(separator: "\n") where line.lowercased().contains("not found") {
            problems.append("not found: \(line)")
        }

        let functions = Set(
            scripts.flatMap { script in
                script.matches(of: /(?m)^\s*([A-Za-z_][A-Za-z0-9_]*)\s*\(\)/).map { String($0.output.1) }
            })
        let commands = Set(trace.split(separator: "\n").compactMap(commandName))
        // The traces did see what our scripts run, so the checks below are not vacuous.
        for expected in expecting where !commands.contains(expected) { problems.append("no trace of \(expected)") }
        let quoted = commands.subtracting(functions).sorted().map {
            "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }
        let check = quoted.map { "command -v \($0) >/dev/null 2>&1 || printf 'MISSING %s\\n' \($0)" }.joined(
            separator: "\n")
        let resolved = try router.runInSandbox(check.isEmpty ? "true" : check)
        for line in resolved.output.split(separator: "\n") where line.hasPrefix("MISSING ") {
            problems.append("not on a stock router: \(line.dropFirst(8))")
        }

        let pattern =
            "(^|[;&|(`{!]|\\$\\(|\\bthen\\b|\\bdo\\b|\\belse\\b)\\s*(" + missingOnStock.joined(separator: "|")
            + ")(\\s|$|;)"
        let missing = try Regex(pattern).anchorsMatchLineEndings()
        for script in scripts {
            for line in script.split(separator: "\n") where !line.trimmingCharacters(in: .whitespaces).hasPrefix("#") {
                if line.firstMatch(of: missing) != nil {
                    problems.append("a stock 24.10 lacks what this runs: \(line)")
                }
            }
        }
        return problems
    }

    /// The command word of an xtrace line (`+ cmd args`): leading assignments and `!` skipped, ash's
    /// quoting ('[', 'a b', 'it'"'"'s') undone.
    static func commandName(_ line: Substring) -> String? {
        guard line.hasPrefix("+ "), !isInterleaved(line) else { return nil }
        for word in words(line.dropFirst(2)) {
            if word.raw == "!" { continue }
            if word.raw.firstMatch(of: /^[A-Za-z_][A-Za-z0-9_]*=/) != nil { continue }
            // A word that starts with '-' or holds a '+' is the tail of another side's line cut in
            // (seen under load: "-c", "[+"), never a command's name: left out like any interleaving.
            if word.text.isEmpty || word.text.hasPrefix("-") || word.text.contains("+") { return nil }
            return word.text
        }
        return nil
    }

    /// The two sides of a pipeline trace into the same file at once, word by word, and their lines
    /// interleave ("+ + headtail -c -c 955", "+ sha256sum+  /etc/config/firewall"): the second
    /// side's "+ " lands right after a word. Such a line names no single command; it is left out.
    static func isInterleaved(_ line: Substring) -> Bool {
        if line.hasPrefix("+ + ") || line.hasSuffix("+") { return true }
        let chars = Array(line.dropFirst(2))
        return chars.indices.dropFirst().dropLast().contains { i in
            chars[i] == "+" && chars[i + 1] == " " && !" \t'\"".contains(chars[i - 1])
        }
    }

    /// Shell words as ash's xtrace prints them: `raw` as written, `text` with quotes removed.
    static func words(_ line: Substring) -> [(raw: String, text: String)] {
        var words: [(String, String)] = []
        var raw = ""
        var text = ""
        var quote: Character?
        var escaped = false
        var inWord = false
        for char in line {
            if escaped {
                raw.append(char)
                text.append(char)
                escaped = false
                continue
            }
            if let open = quote {
                raw.append(char)
                if char == open { quote = nil } else { text.append(char) }
                continue
            }
            switch char {
            case " ", "\t":
                if inWord {
                    words.append((raw, text))
                    raw = ""
                    text = ""
                    inWord = false
                }
            case "'", "\"":
                quote = char
                raw.append(char)
                inWord = true
            case "\\":
                escaped = true
                raw.append(char)
                inWord = true
            default:
                raw.append(char)
                text.append(char)
                inWord = true
            }
        }
        if inWord { words.append((raw, text)) }
        return words
    }
}

/// The package round trip (the command script, its session, the restore that stops it) uses only
/// what a stock 24.10 image has: an install, a failed install that is restored, and a rollback.
@Suite struct TrapsStockToolsPackageTests {
    @Test func packageRoundTripsUseOnlyStockCommands() async throws {
        var options = VirtualRouter.Options()
        options.packageManager = .opkg
        try await withVirtualRouter(options) { router in
            try TrapsRouter.installTracingShell(router)
            let target = router.sshTarget()
            let install = try PackageSSHTests.graph([try StepBuilder.step("mape", "package", ["name": "map"])])
            let result = try await Applier(options: TrapsRouter.options()).apply(
                try await PackageSSHTests.plan(install, target), to: target)
            #expect(result.status == .done)
            let unknown = try PackageSSHTests.graph([
                try StepBuilder.step("mape", "package", ["name": "map"]),
                try StepBuilder.step("nope", "package", ["name": "no-such-package"]),
            ])
            await #expect(throws: EngineError.self) {
                try await Applier(options: TrapsRouter.options()).apply(
                    try await PackageSSHTests.plan(unknown, target), to: target)
            }
            let undo = try Rollback().plan(try await target.snapshot(paths: [], run: try #require(result.runID)))
            _ = try await Rollback().apply(undo, with: Applier(options: TrapsRouter.options()), to: target)
            await target.close()
            #expect(!router.installedPackages().contains("map"))

            let problems = try TrapsStockToolsTests.audit(
                router, probeOutputs: [], expecting: ["start-stop-daemon", "mkfifo", "opkg", "sync", "mv"])
            #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        }
    }
}
