/// The verify-and-confirm round trip: poll the checks until they pass or time out, then confirm
/// (stop the watchdog, mark the run done, release the lock). Run over a NEW connection: proof the
/// way we came in still works after the reload.
enum FinishScript {
    static func make(_ request: FinishRequest) -> String {
        var s = Shell.prelude
        s += "J=\(Shell.quote(Shell.journal(request.runID)))\nL=\(Shell.lock)\n"
        s += JournalScripts.clearBootHook
        s += """
        netifd=0; command -v ubus >/dev/null 2>&1 && netifd=1
        deadline=$(( $(date +%s) + \(request.pollTimeout) ))
        while :; do
            all=1; results=""

        """
        for (index, check) in request.checks.enumerated() {
            if check.needsNetifd {
                s += "    if [ $netifd = 0 ]; then results=\"$results \(index):SKIP\"; el"
            } else {
                s += "    "
            }
            s += "if ( \(check.command) ) >/dev/null 2>&1 </dev/null; then results=\"$results \(index):OK\"; else results=\"$results \(index):FAIL\"; all=0; fi\n"
        }
        s += """
            [ $all = 1 ] && break
            [ "$(date +%s)" -ge "$deadline" ] && break
            sleep 2
        done
        echo "R$results"

        """
        if request.confirm {
            s += """
            if [ $all = 1 ]; then
                [ -f "$J/watchdog.pid" ] && kill "$(cat "$J/watchdog.pid")" 2>/dev/null
                rm -f "$J/watchdog.pid"
                echo done > "$J/status"

            """
            if let rolledBackRun = request.rolledBackRun {
                s += "    echo rolled-back > \(Shell.quote(Shell.journal(rolledBackRun) + "/status"))\n"
            }
            s += """
                clear_boot_hook
                rm -rf "$L"
                echo CONFIRMED
            fi

            """
        }
        return s
    }

    static func parse(_ output: [UInt8], checks: [PostCheck]) -> FinishOutcome {
        var results: [CheckResult] = []
        var confirmed = false
        for line in String(decoding: output, as: UTF8.self).split(separator: "\n") {
            if line.hasPrefix("R") {
                for item in line.dropFirst().split(separator: " ") {
                    let parts = item.split(separator: ":")
                    guard parts.count == 2, let index = Int(parts[0]), checks.indices.contains(index),
                        let status = CheckResult.Status(rawValue: String(parts[1]))
                    else { continue }
                    results.append(CheckResult(description: checks[index].description, status: status))
                }
            }
            if line == "CONFIRMED" { confirmed = true }
        }
        return FinishOutcome(results: results, confirmed: confirmed)
    }
}

/// The failure path: restore a run from its journal, mark it, release the lock, then reload.
enum RestoreScript {
    static func make(runID: String, status: String) -> String {
        Shell.prelude + JournalScripts.clearBootHook + """
        J=\(Shell.quote(Shell.journal(runID)))
        [ -f "$J/restore" ] || { echo "MISSING"; exit 0; }
        [ -f "$J/watchdog.pid" ] && kill "$(cat "$J/watchdog.pid")" 2>/dev/null
        sh "$J/restore"
        echo \(Shell.quote(status)) > "$J/status"
        clear_boot_hook
        rm -rf \(Shell.lock)
        # The files are back; reload detached, so a reload that hangs cannot hold us (or the lock).
        start-stop-daemon -S -b -x /bin/sh -- "$J/reload"
        echo RESTORED

        """
    }
}
