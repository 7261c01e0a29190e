/// The reload round trip: re-arm the watchdog (armed by the write; started here if it was not), so
/// even a reload that cuts us off is undone, then reload each service; if one fails, restore the
/// journal and reload again, right there on the router.
enum ReloadScript {
    static func make(_ request: ReloadRequest) -> String {
        Shell.prelude + Shell.runFunctions(request.runID) + body(request, armed: false)
    }

    /// The reload itself, after the prelude and run functions. `armed`: the watchdog was started
    /// moments ago by the write in this same script: it is only re-armed (its pid file is not
    /// waited for).
    static func body(_ request: ReloadRequest, armed: Bool) -> String {
        var s = """
            # Written down so a restore can stop this script if we lose sight of it (a reload that
            # hangs, a connection cut): left running, it could reload or restore out of turn.
            echo $$ > "$J/reloader"
            # A reload failed: put the old files back and reload them, here and now. If a file cannot
            # be put back, say so (the run stays pending: the boot hook retries) rather than claim it.
            unwind() {
                mkdir "$J/decided" 2>/dev/null
                stop_watchdog
                rm -f "$J/reloader"
                if sh "$J/restore" $$; then
                    echo restored > "$J/status"
                    clear_boot_hook
                    release_lock
                else
                    echo "BROKEN some files could not be put back"
                fi
                # Nothing was reloaded yet when the check before the first reload failed.
                [ "$1" = before-reload ] || reload_detached
            }
            st=$(cat "$J/status" 2>/dev/null)
            if [ "$st" != pending ] || [ -d "$J/decided" ]; then rm -f "$J/reloader"; echo "GONE ${st:-missing}"; exit 0; fi

            """
        if let timeout = request.confirmTimeout, armed {
            // The window starts again now, as it did when the reload was a round trip of its own.
            s += "echo \(timeout) > \"$J/rearm\"\necho \"A $(( $(date +%s) + \(timeout) ))\"\n"
        } else if let timeout = request.confirmTimeout {
            s += """
                w=$(cat "$J/watchdog.pid" 2>/dev/null)
                if ours "$w"; then
                    echo \(timeout) > "$J/rearm"
                else
                    start-stop-daemon -S -b -m -p "$J/watchdog.pid" -x /bin/sh -- "$J/watchdog" \(timeout) >/dev/null 2>&1 </dev/null || { unwind; echo "FAILED watchdog 1"; exit 0; }
                fi
                echo "A $(( $(date +%s) + \(timeout) ))"

                """
        }
        if request.services.contains("firewall") {
            // fw4 renders a drop-everything ruleset from a file it cannot parse and still exits 0:
            // check the new config before loading it.
            s += """
                if command -v fw4 >/dev/null 2>&1; then
                    out=$(fw4 check 2>&1 </dev/null); rc=$?
                    if [ $rc -ne 0 ] || printf '%s' "$out" | grep -qE 'Error:|[Pp]arse error|[Ss]yntax error'; then unwind before-reload; echo "FAILED fw4-check $rc"; printf '%s\\n' "$out" | tail -n 5; exit 0; fi
                fi

                """
        }
        for service in request.services {
            s += """
                out=$(\(JournalScripts.command(for: service)) 2>&1 </dev/null); rc=$?
                if [ $rc -ne 0 ]; then unwind; echo "FAILED \(service) $rc"; printf '%s\\n' "$out" | tail -n 5; exit 0; fi

                """
        }
        s += "rm -f \"$J/reloader\"\necho RELOADED\n"
        return s
    }

    static func parse(_ output: [UInt8]) throws -> ReloadOutcome {
        var revertAt: Int?
        var lines = String(decoding: output, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .map(String.init)
        if let broken = lines.first(where: { $0.hasPrefix("BROKEN ") }) {
            throw EngineError(
                .router, "a reload failed, and putting the old files back failed too (\(broken.dropFirst(7)))")
        }
        while let line = lines.first {
            lines.removeFirst()
            if line.hasPrefix("A ") { revertAt = Int(line.dropFirst(2)) }
            if line == "RELOADED" { return .reloaded(revertAt: revertAt) }
            if line.hasPrefix("GONE ") {
                throw EngineError(
                    .applyFailed,
                    "the run was no longer waiting to be reloaded (its status is \(line.dropFirst(5))): the router's watchdog had already restored it",
                    hint: "a longer --confirm-timeout gives a slow link more time")
            }
            if line.hasPrefix("FAILED ") {
                let parts = line.dropFirst(7).split(separator: " ").map(String.init)
                let rest = lines.map(\.trimmingSpaces).filter { !$0.isEmpty }.joined(separator: " / ")
                return .failedAndRestored(
                    service: parts.first ?? "?",
                    output: "exit \(parts.count > 1 ? parts[1] : "?")" + (rest.isEmpty ? "" : ": \(rest)"))
            }
        }
        throw EngineError(.router, "the router gave no answer to the reload")
    }
}
