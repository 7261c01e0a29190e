/// The one-round-trip write: lock, compare-and-swap, journal, watchdog, temp files, rename. New bytes
/// travel on stdin (never in argv, so secrets stay out of `ps`), sliced from one payload by offset.
///
/// Once the payload has arrived the script no longer needs us: cut off after that, it still
/// finishes, and the watchdog it armed restores the run unless a confirmation comes in time.
/// Cut off before, it finds the payload short and leaves everything as it was.
enum WriteScript {
    struct Payload {
        var script: String
        var stdin: [UInt8]
    }

    /// `watchdog`: seconds the router waits for confirmation before restoring by itself; armed
    /// here, before the first file is replaced, so a client that dies between this round trip and
    /// the reload's is covered too. nil: no watchdog (--no-confirm).
    /// `--force`: breaks the lock only when its run is over (a run left pending or half-written is
    /// marked abandoned then) — never a run whose watchdog or
    /// reload is alive (it is waiting for confirmation, or reloading, and will release the lock
    /// itself), nor one younger than two minutes that has not ended (its client may be between
    /// steps: a --no-confirm run has no watchdog). Otherwise `live` says why it stands.
    static let breakStaleLock = """
        hr=$(sed -n 4p "$L/owner" 2>/dev/null); hs=$(sed -n 3p "$L/owner" 2>/dev/null)
            case "$hr" in
            ""|*[!A-Za-z0-9_-]*) ;;
            *)
                for f in watchdog reload; do
                    p=$(cat "\(Shell.runs)/$hr/$f.pid" 2>/dev/null)
                    [ -n "$p" ] && kill -0 "$p" 2>/dev/null && live=$f
                done
                case "$(cat "\(Shell.runs)/$hr/status" 2>/dev/null)" in
                done|restored|reverted|rolled-back|aborted|abandoned) ;;
                *) case "$hs" in
                    ""|*[!0-9]*) ;;
                    *) [ -z "$live" ] && [ $(($(date +%s) - hs)) -lt 120 ] && live=young ;;
                    esac ;;
                esac ;;
            esac
            if [ -z "$live" ]; then
                # Its run will never be confirmed nor restored by its client: mark it abandoned, or
                # the boot hook would one day put its old files back over what came since.
                case "$hr" in ""|*[!A-Za-z0-9_-]*) ;; *)
                    case "$(cat "\(Shell.runs)/$hr/status" 2>/dev/null)" in
                    pending|writing) echo abandoned > "\(Shell.runs)/$hr/status" && sync ;;
                    esac ;;
                esac
                rm -rf "$L"
            fi
        """

    /// How many runs' journals the router keeps: `rollback` reaches that far back.
    static let keptRuns = 10

    /// Where each file's bytes really go: through a link to its target (the plan checked it
    /// stays inside /etc); the write checks the path still leads there.
    static func real(_ file: WriteTransaction.File) -> String { file.new.writePath(for: file.path) }

    /// `reloading`: also reload in this round trip, once every file is in place (the watchdog is
    /// armed before anything is replaced), so a confirmed apply takes three round trips: plan,
    /// write and reload, verify and confirm.
    static func make(_ transaction: WriteTransaction, watchdog: Int? = nil, reloading: ReloadRequest? = nil) -> Payload
    {
        var stdin: [UInt8] = []
        func add(_ bytes: [UInt8]) -> (offset: Int, count: Int) {
            let offset = stdin.count
            stdin += bytes
            return (offset, bytes.count)
        }
        let journal = add(transaction.journal)
        let restore = add(Array(JournalScripts.restore(transaction).utf8))
        let reload = add(Array(JournalScripts.reload(services: transaction.services).utf8))
        let watchdogScript = add(Array(JournalScripts.watchdog(runID: transaction.runID).utf8))
        let contents = transaction.files.map { add($0.new.content ?? []) }

        var s = Shell.prelude + Shell.physicalPath + Shell.runFunctions(transaction.runID)
        s += """
            mkdir -p /var/lock
            live=""
            if [ \(transaction.breakLock ? 1 : 0) = 1 ] && [ -d "$L" ]; then
                \(Self.breakStaleLock)
            fi
            if ! mkdir "$L" 2>/dev/null; then
                # The holder writes its name just after taking the lock: give it a moment to
                # (whole seconds: OpenWrt's busybox may lack fractional sleep).
                n=0; while [ ! -s "$L/owner" ] && [ $n -lt 2 ]; do sleep 1; n=$((n + 1)); done
                echo "LOCKED $(tr '\\n' '\\t' < "$L/owner" 2>/dev/null)$live"; exit 0
            fi
            printf '%s\\n' \(Shell.quote(transaction.owner)) "$$" "$(date +%s)" "$RUN" > "$L/owner"
            changed=""
            nl='
            '

            """
        // Compare-and-swap: one sha256sum for every file that exists, then each line matched by
        // the shell itself (a fork per file is felt on a small router, and here we hold the lock).
        // A path must still lead where the plan saw it lead (a link retargeted since is a change).
        s += "set --\n"
        for file in transaction.files {
            s +=
                "phys \(Shell.quote(file.path)); [ \"$r\" = \(Shell.quote(real(file))) ] || changed=\"$changed\t\"\(Shell.quote(file.path))\n"
            s += "[ -e \(Shell.quote(real(file))) ] && set -- \"$@\" \(Shell.quote(real(file)))\n"
        }
        s += "cd /\nsums=\"\"\n[ $# -gt 0 ] && sums=$(sha256sum \"$@\" 2>/dev/null </dev/null)\nsums=\"$nl$sums$nl\"\n"
        for file in transaction.files {
            let path = Shell.quote(file.path)
            if file.expectedHash == "absent" {
                s += "[ -e \(Shell.quote(real(file))) ] && changed=\"$changed\t\"\(path)\n"
            } else {
                s +=
                    "case \"$sums\" in *\"$nl\"\(Shell.quote(file.expectedHash + "  " + real(file)))\"$nl\"*) ;; *) changed=\"$changed\t\"\(path) ;; esac\n"
            }
        }
        s += """
            if [ -n "$changed" ]; then rm -rf "$L"; echo "CHANGED$changed"; exit 0; fi
            temps=""
            # Nothing was replaced (or all of it was put back) wherever this is called: undo what this
            # script set up. An aborted run keeps no copies (they may hold secrets, and space may be
            # short); a run whose status could not even be written leaves no trace at all.
            abandon() {
                rm -f $temps
                stop_watchdog
                if [ -d "$J" ]; then
                    rm -rf "$J/files" "$J/payload" "$J/journaled"
                    echo aborted > "$J/status" 2>/dev/null
                    [ "$(cat "$J/status" 2>/dev/null)" = aborted ] || rm -rf "$J"
                fi
                clear_boot_hook
                release_lock
            }
            # Says so when the filesystem holding $1 is (nearly) full: the usual reason a write fails,
            # and not one every busybox tool reports as such.
            space() {
                a=$(df -Pk "$1" 2>/dev/null | awk 'NR == 2 { print $4 }')
                [ -n "$a" ] && [ "$a" -lt 64 ] && echo ": no space left on the router ($a KiB free in $1)"
            }
            # $1: what failed; $2: the directory it wrote to (default the journal's).
            fail() {
                d=${2:-$J}; [ -d "$d" ] || d=/etc
                m="$1$(space "$d")"
                abandon
                echo "FAILED $m"
                exit 0
            }
            # A file was already replaced: put everything back first. If even that fails, the run stays
            # as it is, for the watchdog and the boot hook to retry.
            undo() {
                sh "$J/restore" $$ && fail "$1"
                echo "BROKEN $1; putting the old files back failed too"
                exit 0
            }
            mkdir -p "$J/files" && chmod 700 /etc/wrtform \(Shell.runs) "$J" "$J/files" || fail "cannot create the journal $J"
            echo writing > "$J/status" || fail "cannot write the journal in $J"
            # The boot hook goes in first: a power cut from here on is cleaned up (or undone) at boot.
            mkdir -p /etc/uci-defaults && cat > /etc/uci-defaults/.wrtform-restore <<'WRTFORM_BOOT_HOOK' && mv -f /etc/uci-defaults/.wrtform-restore \(JournalScripts.bootHookPath) || fail "cannot install the boot-time restore hook" /etc/uci-defaults
            \(JournalScripts.bootHook)WRTFORM_BOOT_HOOK
            cat > "$J/payload" || fail "cannot store the payload in $J"
            [ "$(wc -c < "$J/payload")" -eq \(stdin.count) ] || fail "the payload arrived short (connection lost?) or could not be stored in $J"
            slice() { tail -c +$(( $1 + 1 )) "$J/payload" | head -c "$2"; }
            slice \(journal.offset) \(journal.count) > "$J/run.json" || fail "cannot write $J/run.json"
            slice \(restore.offset) \(restore.count) > "$J/restore" || fail "cannot write $J/restore"
            slice \(reload.offset) \(reload.count) > "$J/reload" || fail "cannot write $J/reload"
            slice \(watchdogScript.offset) \(watchdogScript.count) > "$J/watchdog" || fail "cannot write $J/watchdog"
            echo \(Shell.quote(transaction.kind)) > "$J/kind" || fail "cannot write $J/kind"
            printf '%s\\n' \(Shell.quote(transaction.summary)) > "$J/summary" || fail "cannot write $J/summary"

            """
        s +=
            "printf '%s\\n'" + transaction.files.map { " " + Shell.quote($0.path) }.joined()
            + " > \"$J/paths\" || fail \"cannot write $J/paths\"\n"
        // Each existing file's bytes go to files/N (0600, like all the journal); its mode and owner
        // beside it in files/N.meta — all of them from one `ls` and one awk.
        s += "set --; map=; metas=\n"
        for (index, file) in transaction.files.enumerated() {
            let path = Shell.quote(real(file))
            s +=
                "if [ -e \(path) ]; then cp \(path) \"$J/files/\(index)\" || fail \"cannot journal \"\(path); set -- \"$@\" \(path); map=\"$map \"\(path)\" \(index)\"; metas=\"$metas \(index)\"; fi\n"
        }
        s += """
            if [ $# -gt 0 ]; then
                ls -lnL "$@" | awk -v J="$J" -v map="$map" '
                    BEGIN { n = split(map, a, " "); for (i = 1; i < n; i += 2) index_of[a[i]] = a[i + 1] }
                    {
                        p = substr($1, 2, 9); m = 0
                        for (i = 1; i <= 9; i++) m = m * 2 + (substr(p, i, 1) ~ /[rwxst]/)
                        s = (substr(p, 3, 1) ~ /[sS]/) * 4 + (substr(p, 6, 1) ~ /[sS]/) * 2 + (substr(p, 9, 1) ~ /[tT]/)
                        printf "%d%03o %s:%s\\n", s, m, $3, $4 > (J "/files/" index_of[$NF] ".meta")
                    }'
                for i in $metas; do [ -s "$J/files/$i.meta" ] || fail "cannot journal the modes of the files"; done
            fi
            sync
            : > "$J/journaled" || fail "cannot write the journal in $J"

            """
        if let watchdog {
            s += """
                start-stop-daemon -S -b -m -p "$J/watchdog.pid" -x /bin/sh -- "$J/watchdog" \(watchdog) >/dev/null 2>&1 </dev/null || fail "cannot start the watchdog"

                """
        }
        for (index, file) in transaction.files.enumerated() where file.new.content != nil {
            let target = real(file)
            let path = Shell.quote(target)
            let directory = Shell.quote(parent(of: target))
            let base = file.path.split(separator: "/").last.map(String.init) ?? "file"
            let template = Shell.quote(
                parent(of: target) + "/." + (target.split(separator: "/").last.map(String.init) ?? "file")
                    + ".wrtform-XXXXXX")
            // Temp files stay 0600 (mktemp's) until just before their rename. Directories made
            // here are noted (deepest first), for a restore to remove again.
            s += """
                d=\(directory); while [ -n "$d" ] && [ ! -d "$d" ]; do printf '%s\\n' "$d" >> "$J/dirs"; d=${d%/*}; done
                (umask 022; mkdir -p \(directory)) || fail "cannot create "\(directory) \(Shell.quote(parent(of: parent(of: target))))
                t\(index)=$(mktemp \(template)) || fail "cannot create a temp file in "\(directory) \(directory)
                temps="$temps $t\(index)"
                slice \(contents[index].offset) \(contents[index].count) > "$t\(index)" && [ "$(wc -c < "$t\(index)")" -eq \(contents[index].count) ] || fail "cannot write "\(path) \(directory)

                """
            if file.path.hasPrefix("/etc/config/") {
                s += """
                    if command -v uci >/dev/null 2>&1; then
                        d=$(mktemp -d /tmp/.wrtform-uci-XXXXXX) || fail "cannot create a temp dir"
                        cp "$t\(index)" "$d/\(base)"
                        e=$(uci -c "$d" show \(Shell.quote(base)) 2>&1 >/dev/null)
                        rm -rf "$d"
                        if [ -n "$e" ]; then abandon; echo "REJECTED "\(path)"\t$(echo "$e" | head -1)"; exit 0; fi
                    fi

                    """
            }
        }
        s += "sync\nrm -f \"$J/payload\"\n"
        for (index, file) in transaction.files.enumerated() where file.new.content != nil {
            // chown before chmod: chown clears the setuid bit.
            s +=
                "chown \(Shell.quote(file.new.owner)) \"$t\(index)\" && chmod \(Shell.quote(file.new.mode)) \"$t\(index)\" || fail \"cannot set owner/mode of \"\(Shell.quote(real(file)))\n"
        }
        for (index, file) in transaction.files.enumerated() {
            let path = Shell.quote(real(file))
            if file.new.content != nil {
                s += "mv -f \"$t\(index)\" \(path) || undo \"cannot rename into \"\(path)\n"
            } else {
                s += "rm -f \(path) || undo \"cannot remove \"\(path)\n"
            }
        }
        if let undone = transaction.undoing, Shell.isValidRunID(undone) {
            // A rollback: directories the undone run made go too, once empty (only under /etc).
            let dirs = Shell.quote(Shell.journal(undone) + "/dirs")
            s +=
                "[ -f \(dirs) ] && while IFS= read -r d; do case \"$d\" in /etc/*) rmdir \"$d\" 2>/dev/null ;; esac; done < \(dirs)\n"
        }
        s += """
            sync
            echo pending > "$J/status" || undo "cannot mark the run pending in $J"
            sync
            echo WRITTEN
            # Flash is small: keep the journals of the last \(Self.keptRuns) runs, dropping the oldest
            # finished ones (a run still pending or being written is never dropped).
            n=0; for d in \(Shell.runs)/*/; do [ -d "$d" ] && n=$((n + 1)); done
            for d in \(Shell.runs)/*/; do
                [ $n -le \(Self.keptRuns) ] && break
                case "$(cat "$d/status" 2>/dev/null)" in
                done|restored|reverted|rolled-back|aborted|abandoned) rm -rf "$d" && n=$((n - 1)) ;;
                esac
            done

            """
        if let reloading {
            s += ReloadScript.body(reloading, armed: watchdog != nil)
        }
        return Payload(script: s, stdin: stdin)
    }

    /// What the reload part printed: everything after the WRITTEN line (nil: no WRITTEN line).
    static func reloadOutput(_ output: [UInt8]) -> [UInt8]? {
        let marker = Array("WRITTEN\n".utf8)
        var start = 0
        while start + marker.count <= output.count {
            if (start == 0 || output[start - 1] == 0x0A) && Array(output[start..<start + marker.count]) == marker {
                return Array(output[(start + marker.count)...])
            }
            start += 1
        }
        return nil
    }

    static func parse(_ output: [UInt8]) -> WriteOutcome {
        let text = String(decoding: output, as: UTF8.self)
        for line in text.split(separator: "\n").map(String.init) {
            if line == "WRITTEN" { return .written }
            if line.hasPrefix("LOCKED") {
                let parts = String(line.dropFirst(7)).split(separator: "\t", omittingEmptySubsequences: false).map(
                    String.init)
                var lock = LockInfo(
                    owner: parts.first.flatMap { $0.isEmpty ? nil : $0 } ?? "unknown",
                    pid: parts.count > 1 ? parts[1] : "?",
                    since: parts.count > 2 ? Int(parts[2]) ?? 0 : 0, runID: parts.count > 3 ? parts[3] : "?")
                lock.live = parts.count > 4 && !parts[4].isEmpty ? parts[4] : nil
                return .locked(lock)
            }
            if line.hasPrefix("CHANGED") {
                return .changed(line.dropFirst(7).split(separator: "\t").map(String.init))
            }
            if line.hasPrefix("REJECTED ") {
                let parts = line.dropFirst(9).split(separator: "\t", maxSplits: 1).map(String.init)
                return .rejected(path: parts.first ?? "", message: parts.count > 1 ? parts[1] : "")
            }
            if line.hasPrefix("FAILED ") { return .failed(String(line.dropFirst(7))) }
        }
        return .failed("the router gave no answer to the write")
    }

    /// A write that replaced files and could not put them back: nil when the output says otherwise.
    static func broken(_ output: [UInt8]) -> String? {
        let lines = String(decoding: output, as: UTF8.self).split(separator: "\n")
        // (After WRITTEN, a BROKEN line is the reload's to report.)
        return lines.prefix { $0 != "WRITTEN" }.first { $0.hasPrefix("BROKEN ") }.map { String($0.dropFirst(7)) }
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }
}
