/// The one-round-trip read: files, facts, staged changes, lock, runs, network devices, and
/// optionally a run's journal with the files it touched.
///
/// Framing (version 2): every line is a tag and numbers only. Anything the router names — file
/// and directory names, statuses, summaries, the hostname — travels in a counted record (`TAG
/// LENGTH`, the bytes, a newline) of items `LENGTH:BYTES`; a file's path, link text and real path
/// NUL-terminated, its body as counted bytes. So no name can forge a line (a file called
/// "x\nH evil" is just a name). `SnapshotParser` reads it strictly.
enum SnapshotScript {
    static let version = "WRTFORM 2"

    static func make(paths: [String], run: String?, probes: [RouterProbe] = []) -> String {
        var script = Shell.prelude + Shell.physicalPath
        script += """
            R=\(Shell.runs)
            echo \(Shell.quote(version))
            T=$(mktemp) || exit 90
            # Names and statuses go out as one counted record per tag: each item LENGTH:BYTES (with
            # LC_ALL=C, ${#x} counts bytes), all of it built by builtins, without a fork.
            b=
            add() { b="$b${#1}:$1"; }
            put() { printf '%s %s\\n%s\\n' "$1" "${#b}" "$b"; b=; }
            echo "T $(date +%s)"
            h=; IFS= read -r h 2>/dev/null < /proc/sys/kernel/hostname; add "$h"; put H
            for t in \(Facts.probedTools.joined(separator: " ")) opkg apk; do command -v "$t" >/dev/null 2>&1 && echo "X $t"; done
            for f in /etc/config/*; do [ -f "$f" ] && add "${f##*/}"; done; put C
            for f in /tmp/.uci/*; do [ -s "$f" ] && add uci && add "$f"; done
            for d in /var/run/rpcd/uci-*; do [ -d "$d" ] && [ -n "$(ls -A "$d" 2>/dev/null)" ] && add luci && add "$d"; done
            [ -e /var/run/rpcd/snapshot-files ] && add apply && add /var/run/rpcd/snapshot-files
            put S
            if [ -d \(Shell.lock) ]; then
                o1=; o2=; o3=; o4=
                { IFS= read -r o1; IFS= read -r o2; IFS= read -r o3; IFS= read -r o4; } 2>/dev/null < \(Shell.lock)/owner
                add "$o1"; add "$o2"; add "$o3"; add "$o4"; put L
            fi
            for d in "$R"/*; do
                [ -d "$d" ] || continue
                st=; su=
                IFS= read -r st 2>/dev/null < "$d/status"; IFS= read -r su 2>/dev/null < "$d/summary"
                add "${d##*/}"; add "$st"; add "$su"
            done
            put N
            add "${SSH_CONNECTION:-}"; put E
            for d in /sys/class/net/*; do [ -e "$d" ] && add "${d##*/}"; done; put D
            # emit P: what P is (regular, symlink, directory, other, absent) and what it leads to, the
            # real file's mode and owner (ls -L: a link's own mode is always rwxrwxrwx), then P, the
            # link's text and where P leads, NUL-terminated, and the content of a regular file.
            emit() {
                p=$1; k=absent; e=absent; l=; m=-; u=-; g=-; n=0
                if [ -L "$p" ]; then k=symlink; l=$(readlink "$p"); elif [ -d "$p" ]; then k=directory; elif [ -f "$p" ]; then k=regular; elif [ -e "$p" ]; then k=other; fi
                if [ -f "$p" ]; then e=regular; elif [ -d "$p" ]; then e=directory; elif [ -e "$p" ]; then e=other; fi
                phys "$p"
                # Led elsewhere by a linked directory: name the deepest such link.
                if [ $k != symlink ] && [ -n "$r" ] && [ "$r" != "$p" ]; then
                    a=$p
                    while a=${a%/*}; [ -n "$a" ]; do [ -L "$a" ] && { l="$a -> $(readlink "$a")"; break; }; done
                fi
                if [ $e = regular ]; then
                    cat "$p" > "$T"
                    n=$(wc -c < "$T")
                    set -- $(ls -lnLd "$p")
                    m=$1; u=$3; g=$4
                else
                    : > "$T"
                fi
                echo "F $k $e $n $m $u $g"
                printf '%s\\0%s\\0%s\\0' "$p" "$l" "$r"
                cat "$T"
                echo
            }

            """
        for path in ["/etc/openwrt_release", ConfigFile.network] + paths {
            if let pattern = SnapshotGlob.pattern(path) {
                // Every regular file the pattern names (import reads /etc/hotplug.d/*/*); none is no error.
                script += "for p in \(pattern); do [ -f \"$p\" ] && emit \"$p\"; done\n"
            } else {
                script += "emit \(Shell.quote(path))\n"
            }
        }
        // (phys moved the working directory; probes start from / as before.)
        script += "cd /\n"
        for (index, probe) in probes.enumerated() {
            script += """
                ( \(probe.command) ) >"$T" 2>&1 </dev/null; rc=$?
                echo "P \(index) $rc $(wc -c < "$T")"
                cat "$T"
                echo

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
                    add "$run"; put J
                    emit "$R/$run/run.json"
                    [ -f "$R/$run/\(CommandScript.logName)" ] && emit "$R/$run/\(CommandScript.logName)"
                    while IFS= read -r p; do emit "$p"; done < "$R/$run/paths"
                else
                    add "$run"; put Z
                fi

                """
        }
        script += "rm -f \"$T\"\necho END\n"
        return script
    }

    struct Output {
        var snapshot: Snapshot
        /// The run id the journal belongs to, or nil with `missingRun` when none was found.
        var journalRun: String?
        var journalBytes: [UInt8]?
    }

    static func parse(_ bytes: [UInt8], paths: [String] = [], probes: [RouterProbe] = []) throws -> Output {
        var parser = SnapshotParser(bytes: bytes, probes: probes)
        return try parser.parse(requested: Set(paths))
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
        // (Checked without adding: a count near Int.max from a router must not overflow.)
        guard count >= 0, count <= bytes.count - offset else { return nil }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }
}

/// `history`'s one line per run: time, playbook and files, tab-separated.
enum RunSummaryLine {
    static func make(time: Int, playbook: String, files: [String]) -> String {
        let playbook = String(
            String.UnicodeScalarView(playbook.unicodeScalars.filter { $0 != "\t" && $0 != "\n" && $0 != "\r" }))
        return "\(time)\t\(playbook)\t\(files.joined(separator: ","))"
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
    /// nil unless `symbolic` is exactly a type letter and nine permission letters, as `ls -l` prints.
    static func strictOctal(_ symbolic: String) -> String? {
        let letters = Array(symbolic.utf8)
        let allowed: [Set<UInt8>] = [
            Set("r-".utf8), Set("w-".utf8), Set("xsS-".utf8), Set("r-".utf8), Set("w-".utf8), Set("xsS-".utf8),
            Set("r-".utf8), Set("w-".utf8), Set("xtT-".utf8),
        ]
        guard letters.count == 10 || (letters.count == 11 && "+.@".utf8.contains(letters[10])) else { return nil }
        for (index, letter) in letters[1...9].enumerated() where !allowed[index].contains(letter) { return nil }
        return octal(String(decoding: letters[0..<10], as: UTF8.self))
    }

    static func octal(_ symbolic: String) -> String {
        let chars = Array(symbolic)
        guard chars.count >= 10 else { return "0644" }
        var special = 0
        var bits = 0
        for (index, char) in chars[1...9].enumerated() {
            let bit = 1 << (8 - index)
            switch char {
            case "r", "w", "x": bits |= bit
            case "s":
                bits |= bit
                special |= index == 2 ? 4 : 2
            case "S": special |= index == 2 ? 4 : 2
            case "t":
                bits |= bit
                special |= 1
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
