/// The one-round-trip read: files, facts, staged changes, lock, runs, and optionally a run's journal
/// with the files it touched. Output is line-tagged; file bodies are length-prefixed, so any bytes pass.
enum SnapshotScript {
    static func make(paths: [String], run: String?, probes: [RouterProbe] = []) -> String {
        var script = Shell.prelude
        script += """
        R=\(Shell.runs)
        echo "WRTFORM 1"
        echo "T $(date +%s)"
        echo "H $(cat /proc/sys/kernel/hostname 2>/dev/null)"
        for t in \(Facts.probedTools.joined(separator: " ")) opkg apk; do command -v "$t" >/dev/null 2>&1 && echo "X $t"; done
        for f in /etc/config/*; do [ -f "$f" ] && echo "C ${f##*/}"; done
        for f in /tmp/.uci/*; do [ -s "$f" ] && echo "S uncommitted uci changes in $f"; done
        for d in /var/run/rpcd/uci-*; do [ -d "$d" ] && [ -n "$(ls -A "$d" 2>/dev/null)" ] && echo "S a LuCI session's staged changes in $d"; done
        [ -e /var/run/rpcd/snapshot-files ] && echo "S a LuCI apply waiting for confirmation (/var/run/rpcd/snapshot-files)"
        [ -d \(Shell.lock) ] && echo "L $(tr '\\n' '\\t' < \(Shell.lock)/owner 2>/dev/null)"
        for d in "$R"/*; do [ -d "$d" ] && echo "N ${d##*/}\t$(cat "$d/status" 2>/dev/null)\t$(cat "$d/summary" 2>/dev/null)"; done
        echo "E ${SSH_CONNECTION:-}"
        emit() {
            if [ -f "$1" ]; then
                p=$1
                t=$(mktemp) || exit 90
                cat "$p" > "$t"
                set -- $(ls -ln "$p")
                echo "F $(wc -c < "$t")\t$1\t$3:$4\t$p"
                cat "$t"
                echo
                rm -f "$t"
            else
                echo "A $1"
            fi
        }

        """
        for path in ["/etc/openwrt_release"] + paths {
            if let pattern = SnapshotGlob.pattern(path) {
                // Every regular file the pattern names (import reads /etc/hotplug.d/*/*); none is no error.
                script += "for p in \(pattern); do [ -f \"$p\" ] && emit \"$p\"; done\n"
            } else {
                script += "emit \(Shell.quote(path))\n"
            }
        }
        for (index, probe) in probes.enumerated() {
            script += """
            t=$(mktemp) || exit 90
            ( \(probe.command) ) >"$t" 2>&1 </dev/null; rc=$?
            echo "P \(index)\t$rc\t$(wc -c < "$t")"
            cat "$t"
            echo
            rm -f "$t"

            """
        }
        if let run {
            script += "run=\(Shell.quote(run))\n"
            script += """
            if [ "$run" = last ]; then
                run=""
                for d in "$R"/*; do
                    [ "$(cat "$d/kind" 2>/dev/null)" = apply ] && [ "$(cat "$d/status" 2>/dev/null)" != aborted ] && run=${d##*/}
                done
            fi
            if [ -n "$run" ] && [ -f "$R/$run/run.json" ]; then
                echo "J $run"
                emit "$R/$run/run.json"
                while IFS= read -r p; do emit "$p"; done < "$R/$run/paths"
            else
                echo "Z $run"
            fi

            """
        }
        script += "echo END\n"
        return script
    }

    struct Output {
        var snapshot: Snapshot
        /// The run id the journal belongs to, or nil with `missingRun` when none was found.
        var journalRun: String?
        var journalBytes: [UInt8]?
    }


    static func parse(_ bytes: [UInt8], probes: [RouterProbe] = []) throws -> Output {
        var reader = LineReader(bytes: bytes)
        guard reader.line() == "WRTFORM 1" else {
            throw EngineError(.router, "the router's answer to the snapshot was not understood", hint: "is this an OpenWrt router with busybox?")
        }
        var files: [String: FileState] = [:]
        var facts = Facts()
        var staged: [String] = []
        var lock: LockInfo?
        var runs: [RunSummary] = []
        var connected: String?
        var time: Int?
        var journalRun: String?
        var journalBytes: [UInt8]?
        var sawEnd = false
        var probeResults: [String: ProbeResult] = [:]
        for tool in Facts.probedTools { facts.tools[tool] = false }
        while let line = reader.line() {
            let tag = line.prefix(2)
            let rest = String(line.dropFirst(2))
            switch tag {
            case "T ": time = Int(rest)
            case "H ": facts.hostname = rest
            case "X ":
                if rest == "opkg" || rest == "apk" { facts.packageManager = rest } else { facts.tools[rest] = true }
            case "C ": facts.configs.append(rest)
            case "S ": staged.append(rest)
            case "L ":
                let parts = rest.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
                lock = LockInfo(
                    owner: parts.first ?? "unknown", pid: parts.count > 1 ? parts[1] : "?",
                    since: parts.count > 2 ? Int(parts[2]) ?? 0 : 0, runID: parts.count > 3 ? parts[3] : "?")
            case "N ":
                let parts = rest.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
                guard parts.count >= 2 else { continue }
                let summary = RunSummaryLine.parse(parts.count > 2 ? parts[2...].joined(separator: "\t") : "")
                runs.append(RunSummary(
                    id: parts[0], status: RunStatus(rawValue: parts[1]) ?? .unknown, time: summary.time,
                    playbook: summary.playbook, files: summary.files))
            case "E ":
                let parts = rest.split(separator: " ")
                connected = parts.count >= 3 ? String(parts[2]) : nil
            case "F ":
                let parts = rest.split(separator: "\t", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
                guard parts.count == 4, let size = Int(parts[0].trimmingSpaces), let content = reader.bytes(size) else {
                    throw EngineError(.router, "the router's snapshot was cut short", hint: "try again")
                }
                _ = reader.line()
                files[parts[3]] = FileState(content: content, mode: FileMode.octal(parts[1]), owner: parts[2])
                if journalRun != nil && journalBytes == nil && parts[3].hasSuffix("/run.json") { journalBytes = content }
            case "A ": files[rest] = .absent
            case "P ":
                let parts = rest.split(separator: "\t").map(String.init)
                guard parts.count == 3, let index = Int(parts[0]), let status = Int32(parts[1]),
                    let size = Int(parts[2].trimmingSpaces), let output = reader.bytes(size)
                else { throw EngineError(.router, "the router's snapshot was cut short", hint: "try again") }
                _ = reader.line()
                if probes.indices.contains(index) {
                    probeResults[probes[index].name] = ProbeResult(status: status, output: String(decoding: output, as: UTF8.self))
                }
            case "J ": journalRun = rest
            case "Z ": journalRun = nil
            default:
                if line == "END" { sawEnd = true }
            }
        }
        guard sawEnd else { throw EngineError(.router, "the router's snapshot was cut short", hint: "try again") }
        if let release = files.removeValue(forKey: "/etc/openwrt_release")?.content {
            facts.release = ReleaseFile.parse(String(decoding: release, as: UTF8.self))
        }
        if let journalRun { files.removeValue(forKey: "\(Shell.journal(journalRun))/run.json") }
        var snapshot = Snapshot(
            files: files, facts: facts, stagedChanges: staged, lock: lock, runs: runs, connectedAddress: connected, routerTime: time)
        snapshot.probes = probeResults
        return Output(snapshot: snapshot, journalRun: journalRun, journalBytes: journalBytes)
    }
}

/// Reads a byte buffer line by line, or by exact byte counts for file bodies.
struct LineReader {
    let bytes: [UInt8]
    var offset = 0

    mutating func line() -> String? {
        guard offset < bytes.count else { return nil }
        var end = offset
        while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
        let text = String(decoding: bytes[offset..<end], as: UTF8.self)
        offset = min(end + 1, bytes.count)
        return text
    }

    mutating func bytes(_ count: Int) -> [UInt8]? {
        guard count >= 0, offset + count <= bytes.count else { return nil }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }
}

/// `history`'s one line per run: time, playbook and files, tab-separated.
enum RunSummaryLine {
    static func make(time: Int, playbook: String, files: [String]) -> String {
        "\(time)\t\(playbook.filter { $0 != "\t" && $0 != "\n" })\t\(files.joined(separator: ","))"
    }

    static func parse(_ line: String) -> (time: Int, playbook: String, files: [String]) {
        let parts = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        return (
            Int(parts.first ?? "") ?? 0, parts.count > 1 ? parts[1] : "",
            parts.count > 2 ? parts[2].split(separator: ",").map(String.init) : []
        )
    }
}

/// /etc/openwrt_release: shell assignments DISTRIB_X='value'.
enum ReleaseFile {
    static func parse(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = String(line[..<equals]).trimmingSpaces
            var value = String(line[line.index(after: equals)...]).trimmingSpaces
            if value.count >= 2, let first = value.first, first == value.last, first == "'" || first == "\"" {
                value = String(value.dropFirst().dropLast())
            }
            if !key.isEmpty { values[key] = value }
        }
        return values
    }
}

/// `ls -l` permission strings to chmod's octal form.
enum FileMode {
    static func octal(_ symbolic: String) -> String {
        let chars = Array(symbolic)
        guard chars.count >= 10 else { return "0644" }
        var special = 0, bits = 0
        for (index, char) in chars[1...9].enumerated() {
            let bit = 1 << (8 - index)
            switch char {
            case "r", "w", "x": bits |= bit
            case "s": bits |= bit; special |= index == 2 ? 4 : 2
            case "S": special |= index == 2 ? 4 : 2
            case "t": bits |= bit; special |= 1
            case "T": special |= 1
            default: break
            }
        }
        return String(special) + String(bits >> 6) + String((bits >> 3) & 7) + String(bits & 7)
    }
}

extension String {
    var trimmingSpaces: String {
        var text = Substring(self)
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" || last == "\r" { text.removeLast() }
        return String(text)
    }
}
