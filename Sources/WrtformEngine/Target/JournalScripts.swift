/// Scripts kept in each run's journal on the router, so the watchdog, the boot hook and wrtform itself
/// restore a run the same way, with nothing but busybox.
enum JournalScripts {
    /// Waits while this run's write is still in progress (the lock names its pid): a restore, or
    /// a look at the run's status, must not race a write the client lost sight of — copying back
    /// a journal half written would put half-files in place.
    static let waitForWriter = """
        wait_for_writer() {
            [ "$(sed -n 4p "$L/owner" 2>/dev/null)" = "$RUN" ] || return 0
            w=$(sed -n 2p "$L/owner" 2>/dev/null); n=0
            # (Only while it writes: the same script may go on to reload, and a reload is not waited for.)
            while [ "$w" != "${caller:-}" ] && ours "$w" && [ $n -lt 120 ]; do
                case "$(cat "$J/status" 2>/dev/null)" in ""|writing) ;; *) break ;; esac
                sleep 1; n=$((n + 1))
            done
            return 0
        }

        """

    /// Puts every file the run changed back as it was (or removes it if it did not exist), each
    /// atomically; exits 1 if a file could not be put back. `$1`: the pid of the run's own script
    /// calling it (the write or the reload), never waited for nor stopped; or `boot` from the boot
    /// hook, which also sweeps away temp files a power cut left behind.
    static func restore(_ transaction: WriteTransaction) -> String {
        var s = "# wrtform: puts back the files run \(transaction.runID) changed.\n"
        s += Shell.runFunctions(transaction.runID) + waitForWriter
        s += "if [ \"${1:-}\" = boot ]; then\n"
        for file in transaction.files {
            let real = WriteScript.real(file)
            let directory = WriteScript.parent(of: real)
            let base = real.split(separator: "/").last.map(String.init) ?? "file"
            s +=
                "    rm -f \(Shell.quote(directory + "/." + base + ".wrtform-"))* \(Shell.quote(directory + "/.wrtform-restore-"))*\n"
        }
        // (`:` keeps the branch valid when the run writes no file: packages or services only.)
        s += "    :\nfi\n"
        s += """
            caller=${1:-}
            [ "$caller" = boot ] && caller=
            wait_for_writer
            # A reload of this run still going (hung, or cut off from wrtform) is stopped first: left
            # running, it could load the new files again, or restore and unlock later, out of turn.
            rl=$(cat "$J/reloader" 2>/dev/null)
            [ "$rl" != "$caller" ] && ours "$rl" && kill -9 "$rl" 2>/dev/null
            \(transaction.commands.isEmpty ? "" : CommandScript.stop)            # Files are replaced only once the journal is complete: before that, nothing changed.
            [ -f "$J/journaled" ] || exit 0
            failed=0
            r() {
                f="$J/files/$1"
                if [ -f "$f" ]; then
                    # (Its directory may be gone: a rollback removes the directories the run it undoes made.)
                    mkdir -p "${2%/*}" 2>/dev/null
                    m=; o=
                    [ -f "$f.meta" ] && read -r m o < "$f.meta"
                    t=$(mktemp "${2%/*}/.wrtform-restore-XXXXXX") || t=
                    if [ -n "$t" ]; then
                        # chown before chmod: chown clears the setuid bit.
                        if [ -n "$m" ]; then cat "$f" > "$t" && chown "$o" "$t" && chmod "$m" "$t"; else cp -p "$f" "$t"; fi && mv -f "$t" "$2" && return 0
                        rm -f "$t"
                    fi
                    # No room for a second copy (a full flash): write over the file; its own blocks go first.
                    cat "$f" > "$2" && { [ -z "$m" ] || { chown "$o" "$2"; chmod "$m" "$2"; }; } && return 0
                    echo "wrtform: cannot restore $2" >&2
                    failed=1
                elif [ "$3" = absent ]; then
                    rm -f "$2" || failed=1
                fi
            }

            """
        // A file that existed but has no journal copy was never replaced (copies are synced before
        // any rename): leave it. Only files that did not exist before are removed.
        for (index, file) in transaction.files.enumerated() {
            s +=
                "r \(index) \(Shell.quote(WriteScript.real(file))) \(file.expectedHash == "absent" ? "absent" : "existed")\n"
        }
        // Directories the write made (deepest first) go too, once empty: absent stays absent.
        s += "[ -f \"$J/dirs\" ] && while IFS= read -r d; do rmdir \"$d\" 2>/dev/null; done < \"$J/dirs\"\n"
        if !transaction.commands.isEmpty { s += CommandScript.undo }
        s += "sync\nexit $failed\n"
        return s
    }

    /// Reloads what the run touched; each service's exit status is reported.
    static func reload(services: [String]) -> String {
        services.map { command(for: $0) }.joined(separator: "\n") + "\n"
    }

    static func command(for service: String) -> String {
        switch service {
        case "reload_config": return "/sbin/reload_config"
        // crond does not run while /etc/crontabs is empty; reload starts it. Enabled so it runs after a reboot.
        case "cron": return "/etc/init.d/cron enable && /etc/init.d/cron reload"
        default: return "/etc/init.d/\(service) reload"
        }
    }

    /// Restores the run unless it is confirmed in time. Started detached (`start-stop-daemon -b`,
    /// so it outlives our SSH session) with the seconds to wait; the reload re-arms it by writing
    /// seconds into `$J/rearm`. It counts seconds rather than waiting for a wall-clock time: a
    /// router's clock jumps when NTP first syncs.
    static func watchdog(runID: String) -> String {
        "# wrtform: restores run \(runID) unless it is confirmed in time.\n" + Shell.runFunctions(runID) + """
            left=$1
            while :; do
                # (Read while the reload is writing it, the file may still be empty: try again next second.)
                if [ -f "$J/rearm" ]; then
                    n=$(cat "$J/rearm" 2>/dev/null)
                    case "$n" in ""|*[!0-9]*) ;; *) left=$n; rm -f "$J/rearm" ;; esac
                fi
                [ "$left" -gt 0 ] 2>/dev/null || break
                sleep 1
                left=$((left - 1))
            done
            rm -f "$J/watchdog.pid"
            case "$(cat "$J/status" 2>/dev/null)" in pending|writing) ;; *) exit 0 ;; esac
            # The confirmation and this watchdog race for the decision; whoever makes the directory
            # first wins, and the other stands down — never a confirmed run restored halfway.
            mkdir "$J/decided" 2>/dev/null || exit 0
            if sh "$J/restore" $$; then
                echo reverted > "$J/status"
                clear_boot_hook
                release_lock
                logger -t wrtform "run $RUN was not confirmed in time: its files were restored" 2>/dev/null
            else
                logger -t wrtform "run $RUN was not confirmed in time, and some files could not be restored; the boot hook tries again" 2>/dev/null
            fi
            sh "$J/reload" >/dev/null 2>&1 </dev/null
            exit 0

            """
    }

    /// Installed while a run awaits confirmation: OpenWrt runs /etc/uci-defaults scripts early at
    /// boot and deletes those that exit 0, so a reboot inside the confirm window still restores.
    static let bootHookPath = "/etc/uci-defaults/99-wrtform-restore"

    static let bootHook = """
        # wrtform: restore runs that were never confirmed (the router rebooted while waiting, or
        # lost power in the middle of a write). Newest first; exits 1 (kept for the next boot) if
        # a file could not be put back.
        failed=0
        for d in $(ls -d \(Shell.runs)/* 2>/dev/null | sort -r); do
            st=$(cat "$d/status" 2>/dev/null)
            # A power cut soon after a status was rewritten can leave the file empty on flash: a
            # journaled run whose status is lost is treated as unconfirmed (the safe side).
            [ -z "$st" ] && [ -f "$d/journaled" ] && st=pending
            case "$st" in
                pending|writing)
                    # Process ids written down before the reboot mean nothing now; nor does a payload.
                    rm -f "$d/reloader" "$d/watchdog.pid" "$d/\(CommandScript.pidName)" "$d/payload"
                    mkdir "$d/decided" 2>/dev/null
                    # (A pending run's journal is complete, also one written before the marker existed.)
                    if [ "$st" = writing ] && [ ! -f "$d/journaled" ] || [ ! -f "$d/restore" ]; then
                        # Files are replaced only after the journal is complete: nothing changed.
                        echo aborted > "$d/status"
                    elif sh "$d/restore" boot; then
                        echo reverted > "$d/status"
                        logger -t wrtform "run ${d##*/} restored at boot"
                    else
                        failed=1
                        logger -t wrtform "run ${d##*/} could not be fully restored at boot; trying again at the next boot"
                    fi ;;
            esac
        done
        rm -rf \(Shell.lock)
        [ $failed = 0 ] || exit 1
        exit 0

        """

    /// Removes the boot hook once no run awaits confirmation, nor is being written (a "writing"
    /// run counts only while it holds the lock: one a power cut stopped is the boot hook's).
    static let clearBootHook = """
        clear_boot_hook() {
            for d in \(Shell.runs)/*; do
                case "$(cat "$d/status" 2>/dev/null)" in
                    pending) return 0 ;;
                    writing) [ "$(sed -n 4p \(Shell.lock)/owner 2>/dev/null)" = "${d##*/}" ] && return 0 ;;
                esac
            done
            rm -f \(bootHookPath)
        }

        """
}
