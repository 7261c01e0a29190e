/// The command round trip on the router: after the write (files in place, watchdog armed), install
/// and remove packages and switch services, one command at a time. Each package the manager really
/// added or took away (dependencies too, found by comparing its database before and after) goes
/// into the run's log `$J/actions` as it happens, and the manager's output into `$J/output`; the
/// run's restore script undoes that log (in reverse), so a failure here, a watchdog or a later
/// rollback removes exactly what this run installed — never a package that was there before.
///
/// Answers: `I NAME`, `R NAME`, `S NAME VERB` for what was done; `FAIL KIND WHAT NAME` then `OUT`
/// lines (the manager's last words; `NEED NAME` per package the manager said needs the one it would
/// not remove) when a command failed; `GONE STATUS` when the run was no longer
/// waiting; `END` when all is done.
enum CommandScript {
    /// Where the log of what the run's commands did is kept, beside run.json.
    static let logName = "actions"

    /// Seconds the watchdog allows while packages install (the reload re-arms it to the confirm timeout).
    static let installWindow = 600

    /// The running command's pid, the command under way and what was installed before it (all in `$J`).
    static let pidName = "command.pid"
    static let runningName = "command"
    static let beforeName = "command.before"

    /// `names`: what the package manager `$pm` has installed, one name a line, sorted.
    static let names = """
        names() {
            case "$pm" in
            apk) sed -n 's/^P://p' /lib/apk/db/installed 2>/dev/null ;;
            opkg) awk 'function out() { if (p != "" && s ~ / installed$/) print p; p = ""; s = "" }
                /^Package: / { p = $2 } /^Status: / { s = $0 } /^$/ { out() } END { out() }' /usr/lib/opkg/status 2>/dev/null ;;
            esac | sort
        }
        """

    /// Part of the run's restore, before anything is undone: stops a command of the run still
    /// running (the group its session leads: opkg, its downloads, its scripts) and waits until it
    /// is gone, so no install goes on behind the undo nor holds the manager's lock against it.
    static let stop = """
        cp=$(cat "$J/\(pidName)" 2>/dev/null)
        # (Just started, the command may not have written its pid yet.)
        if [ -z "$cp" ] && [ -f "$J/\(runningName)" ] && [ "${1:-}" != boot ]; then sleep 2; cp=$(cat "$J/\(pidName)" 2>/dev/null); fi
        if ours "$cp"; then
            # Its group (start-stop-daemon made the session; the command's pid is not its leader):
            # the fifth field of /proc/PID/stat, read past the name in parentheses.
            pgof() { sed -n 's/.*) [^ ]* [^ ]* \\([0-9][0-9]*\\) .*/\\1/p' "/proc/$1/stat" 2>/dev/null; }
            pg=$(pgof "$cp")
            if [ -n "$pg" ] && [ "$pg" -gt 1 ] && [ "$pg" != "$(pgof $$)" ]; then kill -9 -"$pg" 2>/dev/null; else pg=; fi
            kill -9 "$cp" 2>/dev/null
            n=0
            while { [ -d "/proc/$cp" ] || { [ -n "$pg" ] && kill -0 -"$pg"; }; } 2>/dev/null && [ $n -lt 30 ]; do sleep 1; n=$((n + 1)); done
        fi
        rm -f "$J/\(pidName)"

        """

    static func make(_ request: CommandRequest) -> String {
        var s = Shell.prelude + Shell.runFunctions(request.runID)
        s += """
            alive() {
                st=$(cat "$J/status" 2>/dev/null)
                if [ "$st" != pending ] || [ -d "$J/decided" ]; then rm -f "$J/reloader"; echo "GONE ${st:-missing}"; exit 0; fi
            }
            alive
            echo $$ > "$J/reloader"
            [ -f "$J/watchdog.pid" ] && echo \(installWindow) > "$J/rearm"
            T=$(mktemp) || { rm -f "$J/reloader"; echo "FAIL failed start -"; exit 0; }
            O="$J/output"
            if command -v apk >/dev/null 2>&1; then pm=apk; elif command -v opkg >/dev/null 2>&1; then pm=opkg; else pm=; fi
            \(names)
            has() { names | grep -qxF -- "$1"; }
            # (Each list ends in "#", a line no package is named: busybox grep -f matches nothing with an empty file.)
            # $1 i/r/s, $2 name, $3 verb (- for packages), $4 step id
            rec() {
                printf '%s %s %s %s\\n' "$1" "$2" "$3" "$4" >> "$J/\(logName)"
                case "$1" in i) echo "I $2" ;; r) echo "R $2" ;; s) echo "S $2 $3" ;; esac
            }
            # The command runs in a session of its own (start-stop-daemon -b), its pid (= its process
            # group) in $J/\(pidName): a restore firing meanwhile stops it and all it started — opkg and
            # its downloads, not just this script — before it undoes anything. Its status comes back
            # through a fifo.
            run() {
                rm -f "$J/\(pidName)" "$T.x"; : > "$T.o"
                if mkfifo "$T.x" && start-stop-daemon -S -b -m -p "$J/\(pidName)" -x /bin/sh -- -c \
                    't=$1; shift; "$@" > "$t.o" 2>&1 </dev/null; echo $? > "$t.x"' "$J/\(pidName)" "$T" "$@" </dev/null; then
                    read -r rc < "$T.x" || rc=1
                else
                    echo "cannot start $1" > "$T.o"; rc=1
                fi
                rm -f "$J/\(pidName)" "$T.x"
                { echo "# $*"; cat "$T.o"; } >> "$O"
                return $rc
            }
            # $J/\(runningName) names the command under way (and $J/\(beforeName) what was installed before
            # it): cut short, its restore compares the database and undoes what it had done.
            begin() {
                [ "$1" = s ] || { names; echo "#"; } > "$J/\(beforeName)"
                echo "$1 $2 $3 $4" > "$J/\(runningName)"
                sync
            }
            finish() { rm -f "$J/\(runningName)" "$J/\(beforeName)"; }
            why() {
                if grep -qE 'depended upon by|not removed due to' "$T.o"; then echo needed
                elif grep -qiE 'Only have [0-9]+ ?kb available|No space left' "$T.o"; then echo space
                elif grep -qiE 'Failed to download|wget returned|temporary error|Could not resolve|Network (is )?unreachable|could not connect|DNS lookup' "$T.o"; then echo network
                elif grep -qiE "Unknown package|unable to select packages|no such package|Cannot install package" "$T.o"; then echo unknown
                else echo failed; fi
            }
            fail() {
                # apk writes /etc/apk/world even when it adds or removes nothing: it is put back.
                [ -f "$T.w" ] && cat "$T.w" > /etc/apk/world
                sync
                echo "FAIL $1 $2 $3"
                [ -f "$T.o" ] && grep -v '^[[:space:]]*$' "$T.o" | tail -n 5 | sed 's/^/OUT /'
                # Who needs it: opkg lists them tab-indented, apk as "  NAME: USER USER".
                if [ "$1" = needed ]; then
                    { awk -F '\t' 'NF > 1 { print $NF }' "$T.o"; awk -v p="$3:" '$1 == p { for (i = 2; i <= NF; i++) print $i }' "$T.o"; } |
                        sed 's/^/NEED /'
                fi
                rm -f "$J/reloader" "$T" "$T.o" "$T.a" "$T.w"
                exit 0
            }
            keepworld() {
                rm -f "$T.w"
                [ "$pm" = apk ] && [ -f /etc/apk/world ] && cp /etc/apk/world "$T.w"
                return 0
            }
            fresh=0
            update() {
                [ $fresh = 1 ] && return 0
                fresh=1
                case "$pm" in apk) d=/var/cache/apk ;; *) d=/var/opkg-lists ;; esac
                newest=0
                for f in "$d"/*; do
                    [ -f "$f" ] || continue
                    m=$(date -r "$f" +%s 2>/dev/null) || m=0
                    [ "$m" -gt "$newest" ] && newest=$m
                done
                if [ \(request.refresh ? 1 : 0) = 1 ] || [ "$newest" = 0 ] || [ $(( $(date +%s) - newest )) -gt 86400 ]; then
                    run "$pm" update || fail "$(why)" update lists
                fi
            }
            install() {
                alive
                [ -n "$pm" ] || fail nomanager install "$1"
                has "$1" && return 0
                update
                keepworld
                begin i "$1" - "$2"
                if [ "$pm" = apk ]; then run apk add "$1"; else run opkg install "$1"; fi; rc=$?
                { names; echo "#"; } > "$T.a"
                # Dependencies first, the package itself last: undone in reverse, it goes first.
                for n in $(grep -vxFf "$J/\(beforeName)" "$T.a"); do [ "$n" = "$1" ] || rec i "$n" - "$2"; done
                grep -qxF -- "$1" "$T.a" && rec i "$1" - "$2"
                finish
                [ $rc = 0 ] && grep -qxF -- "$1" "$T.a" || fail "$(why)" install "$1"
                rm -f "$T.w"
            }
            remove() {
                alive
                [ -n "$pm" ] || fail nomanager remove "$1"
                has "$1" || return 0
                keepworld
                begin r "$1" - "$2"
                if [ "$pm" = apk ]; then run apk del "$1"; else run opkg remove "$1"; fi
                { names; echo "#"; } > "$T.a"
                for n in $(grep -vxFf "$T.a" "$J/\(beforeName)"); do rec r "$n" - "$2"; done
                finish
                grep -qxF -- "$1" "$T.a" && fail "$(why)" remove "$1"
                rm -f "$T.w"
                return 0
            }
            switch() {
                alive
                [ -f "/etc/init.d/$1" ] || { : > "$T.o"; fail missing "$2" "$1"; }
                begin s "$1" "$2" "$3"
                run "/etc/init.d/$1" "$2" || { finish; fail failed "$2" "$1"; }
                rec s "$1" "$2" "$3"
                finish
            }

            """
        for (index, command) in request.commands.enumerated() {
            let step = Shell.quote(logStepID(request.stepIDs.indices.contains(index) ? request.stepIDs[index] : "-"))
            switch command {
            case .package(let name, let install):
                s += "\(install ? "install" : "remove") \(Shell.quote(name)) \(step)\n"
            case .service(let name, let verb):
                s += "switch \(Shell.quote(name)) \(verb.rawValue) \(step)\n"
            default:
                continue
            }
        }
        if let timeout = request.confirmTimeout {
            // Done: the window is the confirm timeout again, should the client vanish before the reload.
            s += "[ -f \"$J/watchdog.pid\" ] && echo \(timeout) > \"$J/rearm\"\n"
        }
        s += "sync\nrm -f \"$J/reloader\" \"$T\" \"$T.o\" \"$T.a\" \"$T.w\"\necho END\n"
        return s
    }

    /// A step id as the log keeps it: one word of a safe alphabet ("-" otherwise).
    static func logStepID(_ id: String) -> String {
        id.utf8.allSatisfy {
            (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) || "._-".utf8.contains($0)
        }
            && !id.isEmpty ? id : "-"
    }

    static func parse(_ output: [UInt8], manager: String) throws -> CommandOutcome {
        var outcome = CommandOutcome()
        var failure: [String]?
        var said: [String] = []
        var needers: [String] = []
        var ended = false
        for line in String(decoding: output, as: UTF8.self).split(separator: "\n").map(String.init) {
            let fields = line.split(separator: " ", maxSplits: 3).map(String.init)
            switch fields.first {
            // (Router input: names that break the steps' own rules are not taken into a message.)
            case "I" where fields.count == 2 && PackageStep.isValidName(fields[1]): outcome.installed.append(fields[1])
            case "R" where fields.count == 2 && PackageStep.isValidName(fields[1]): outcome.removed.append(fields[1])
            case "S"
            where fields.count == 3 && ServiceStep.isValidName(fields[1]) && ServiceVerb(rawValue: fields[2]) != nil:
                outcome.switched.append("\(fields[1]) \(fields[2])")
            case "FAIL" where fields.count == 4: failure = fields.dropFirst().map(SnapshotParser.visible)
            case "NEED" where fields.count == 2 && PackageStep.isValidName(fields[1]):
                if !needers.contains(fields[1]) { needers.append(fields[1]) }
            case "OUT": said.append(SnapshotParser.visible(String(line.dropFirst(4)).trimmingSpaces))
            case "GONE": outcome.gone = fields.count > 1 ? fields[1] : "missing"
            case "END": ended = true
            default: continue
            }
        }
        if let failure {
            outcome.failure = describe(
                failure[0], failure[1], failure[2],
                said: failure[0] == "needed" && !needers.isEmpty
                    ? ["needed by " + needers.joined(separator: ", ")] : said,
                manager: manager)
        } else if !ended && outcome.gone == nil {
            throw EngineError(.router, "the router gave no answer to the package round trip")
        }
        return outcome
    }

    /// One line: what failed, why, and the manager's own words for it.
    static func describe(_ kind: String, _ verb: String, _ name: String, said: [String], manager: String) -> String {
        let pm = manager == "none" ? "the package manager" : manager
        let keywords = [
            "Only have", "No space", "Unknown package", "unable to select", "no such package", "Cannot install",
            "Failed to download", "wget returned", "temporary error", "resolve", "unreachable", "ERROR:",
            "depended upon by", "not removed due to",
        ]
        let words = said.first { line in keywords.contains { line.contains($0) } } ?? said.last
        let quoted = words.map { " (\(pm): \($0))" } ?? ""
        switch (kind, verb) {
        case ("nomanager", _):
            return "the router has neither opkg nor apk"
        case ("missing", _):
            return "service '\(name)': /etc/init.d/\(name) does not exist (no package installed it)"
        case (_, "update"):
            let why = kind == "network" ? ": the router could not download them (no network?)" : ""
            return "updating \(pm)'s package lists failed\(why)\(quoted)"
        case ("needed", _):
            return
                "package '\(name)' cannot be removed: installed packages depend on it\(words.map { " (\(pm): \($0))" } ?? "")"
                + "; remove them in the same step, listed before it, or keep it"
        case ("unknown", _):
            return "package '\(name)' is unknown to \(pm) (not in its package lists)\(quoted)"
        case ("space", _):
            return "not enough flash to \(verb) package '\(name)'\(quoted)"
        case ("network", _):
            return "the router could not download package '\(name)' (no network?)\(quoted)"
        case (_, "install"), (_, "remove"):
            return "\(pm) could not \(verb) package '\(name)'\(quoted)"
        default:
            return "/etc/init.d/\(name) \(verb) failed\(quoted)"
        }
    }

    /// Appended to a run's restore script when the run has commands: undoes the log in reverse
    /// (a package installed is removed, one removed reinstalled if the manager can still get it, a
    /// service verb inverted), once. What cannot be undone is noted in `$J/kept` and the syslog.
    static let undo = """
        if command -v apk >/dev/null 2>&1; then pm=apk; else pm=opkg; fi
        \(names)
        # A command cut short (the restore stopped it, or the power went) is logged as far as it
        # went: what its package manager had added or taken away by then, found as the command
        # script does (the database before and now); a service verb as done.
        if [ -f "$J/\(runningName)" ]; then
            read -r t n a s < "$J/\(runningName)"
            case "$t" in
            i|r)
                if [ -f "$J/\(beforeName)" ]; then
                    { names; echo "#"; } > "$J/\(beforeName).now"
                    for x in $(grep -vxFf "$J/\(beforeName)" "$J/\(beforeName).now"); do [ "$x" = "$n" ] || echo "i $x - $s"; done
                    grep -vxFf "$J/\(beforeName)" "$J/\(beforeName).now" | grep -qxF -- "$n" && echo "i $n - $s"
                    for x in $(grep -vxFf "$J/\(beforeName).now" "$J/\(beforeName)"); do echo "r $x - $s"; done
                fi ;;
            s) echo "s $n $a $s" ;;
            esac >> "$J/\(logName)"
            rm -f "$J/\(runningName)" "$J/\(beforeName)" "$J/\(beforeName).now"
            [ -s "$J/\(logName)" ] || rm -f "$J/\(logName)"
        fi
        if [ -f "$J/\(logName)" ]; then
            awk '{ a[NR] = $0 } END { for (i = NR; i > 0; i--) print a[i] }' "$J/\(logName)" > "$J/\(logName).undo"
            while read -r t n a s; do
                case "$t" in
                i) if [ "$pm" = apk ]; then apk del "$n"; else opkg remove "$n"; fi ;;
                r) if [ "$pm" = apk ]; then apk add "$n"; else opkg install "$n"; fi ;;
                s) case "$a" in enable) v=disable ;; disable) v=enable ;; start) v=stop ;; stop) v=start ;; *) continue ;; esac
                    [ ! -f "/etc/init.d/$n" ] || "/etc/init.d/$n" "$v" ;;
                *) continue ;;
                esac >> "$J/output" 2>&1 </dev/null || {
                    echo "$t $n" >> "$J/kept"
                    logger -t wrtform "run $RUN: could not undo '$t $n' (see $J/output)" 2>/dev/null
                }
            done < "$J/\(logName).undo"
            mv -f "$J/\(logName)" "$J/\(logName).undone"
            rm -f "$J/\(logName).undo"
        fi

        """
}
