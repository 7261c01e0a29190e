/// The verify-and-confirm round trip: poll the checks until they pass or time out, then confirm
/// (mark the run done, stop the watchdog, release the lock). Run over a NEW connection: proof the
/// way we came in still works after the reload.
enum FinishScript {
    static func make(_ request: FinishRequest) -> String {
        var s = Shell.prelude + Shell.runFunctions(request.runID)
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
            s +=
                "if ( \(check.command) ) >/dev/null 2>&1 </dev/null; then results=\"$results \(index):OK\"; else results=\"$results \(index):FAIL\"; all=0; fi\n"
        }
        // The results go out before the confirmation: if we are gone by now, writing them kills
        // this script (SIGPIPE) and the run stays unconfirmed, for the watchdog — a confirmation
        // nobody hears of would leave wrtform reporting a failure for a change that stands.
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
                    # Claim the decision first: the watchdog may be restoring already (then it is too late).
                    if [ "$(cat "$J/status" 2>/dev/null)" = pending ] && mkdir "$J/decided" 2>/dev/null; then
                        echo done > "$J/status" && sync
                        stop_watchdog

                """
            if let rolledBackRun = request.rolledBackRun {
                s += "        echo rolled-back > \(Shell.quote(Shell.journal(rolledBackRun) + "/status"))\n"
            }
            s += """
                        clear_boot_hook
                        release_lock
                        echo CONFIRMED
                    else
                        echo "LATE $(cat "$J/status" 2>/dev/null)"
                    fi
                fi

                """
        }
        return s
    }

    static func parse(_ output: [UInt8], checks: [PostCheck]) -> (outcome: FinishOutcome, late: String?) {
        var results: [CheckResult] = []
        var confirmed = false
        var late: String?
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
            if line.hasPrefix("LATE") { late = String(line.dropFirst(4)).trimmingSpaces }
        }
        return (FinishOutcome(results: results, confirmed: confirmed), late)
    }
}
