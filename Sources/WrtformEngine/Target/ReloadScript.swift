/// The reload round trip: arm the watchdog first (so even a reload that cuts us off is undone), then
/// reload each service; if one fails, restore the journal and reload again, right there on the router.
enum ReloadScript {
    static func make(_ request: ReloadRequest) -> String {
        var s = Shell.prelude
        s += "J=\(Shell.quote(Shell.journal(request.runID)))\nL=\(Shell.lock)\n"
        if let timeout = request.confirmTimeout {
            s += """
            cat > "$J/watchdog" <<'WRTFORM_WATCHDOG'
            J=$1
            sleep $2
            [ "$(cat "$J/status" 2>/dev/null)" = pending ] || exit 0
            sh "$J/restore"
            echo reverted > "$J/status"
            for d in \(Shell.runs)/*; do [ "$(cat "$d/status" 2>/dev/null)" = pending ] && p=1; done
            [ -n "$p" ] || rm -f \(JournalScripts.bootHookPath)
            sh "$J/reload" >/dev/null 2>&1
            rm -rf \(Shell.lock)
            logger -t wrtform "run ${J##*/} was not confirmed in time: its files were restored" 2>/dev/null
            WRTFORM_WATCHDOG
            start-stop-daemon -S -b -m -p "$J/watchdog.pid" -x /bin/sh -- "$J/watchdog" "$J" \(timeout) || { echo "FAILED watchdog 1"; exit 0; }
            echo "A $(( $(date +%s) + \(timeout) ))"

            """
        }
        s += JournalScripts.clearBootHook
        s += """
        unwind() {
            sh "$J/restore"
            sh "$J/reload" >/dev/null 2>&1
            echo restored > "$J/status"
            clear_boot_hook
            [ -f "$J/watchdog.pid" ] && kill "$(cat "$J/watchdog.pid")" 2>/dev/null
            rm -rf "$L"
        }

        """
        if request.services.contains("firewall") {
            // fw4 renders a drop-everything ruleset from a file it cannot parse and still exits 0:
            // check the new config before loading it.
            s += """
            if command -v fw4 >/dev/null 2>&1; then
                out=$(fw4 check 2>&1 </dev/null); rc=$?
                if [ $rc -ne 0 ] || printf '%s' "$out" | grep -qiE 'error|syntax'; then unwind; echo "FAILED fw4-check $rc"; printf '%s\\n' "$out" | tail -n 5; exit 0; fi
            fi

            """
        }
        for service in request.services {
            s += """
            out=$(\(JournalScripts.command(for: service)) 2>&1 </dev/null); rc=$?
            if [ $rc -ne 0 ]; then unwind; echo "FAILED \(service) $rc"; printf '%s\\n' "$out" | tail -n 5; exit 0; fi

            """
        }
        s += "echo RELOADED\n"
        return s
    }

    static func parse(_ output: [UInt8]) -> ReloadOutcome {
        var revertAt: Int?
        var lines = String(decoding: output, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        while let line = lines.first {
            lines.removeFirst()
            if line.hasPrefix("A ") { revertAt = Int(line.dropFirst(2)) }
            if line == "RELOADED" { return .reloaded(revertAt: revertAt) }
            if line.hasPrefix("FAILED ") {
                let parts = line.dropFirst(7).split(separator: " ").map(String.init)
                let rest = lines.map(\.trimmingSpaces).filter { !$0.isEmpty }.joined(separator: " / ")
                return .failedAndRestored(service: parts.first ?? "?", output: "exit \(parts.count > 1 ? parts[1] : "?")" + (rest.isEmpty ? "" : ": \(rest)"))
            }
        }
        return .failedAndRestored(service: "?", output: "the router gave no answer to the reload")
    }
}
