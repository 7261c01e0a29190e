/// The failure path: restore a run from its journal, mark it, release the lock, reload in the
/// background. Answers what it found: RESTORED (also when the run was already restored), MISSING
/// or ABORTED (the write never replaced anything), DONE (the run was confirmed), FAILED.
enum RestoreScript {
    static func make(runID: String, status: String) -> String {
        Shell.prelude + Shell.runFunctions(runID) + JournalScripts.waitForWriter + """
            caller=
            # A write we lost sight of may still be going: let it finish before judging the run.
            wait_for_writer
            if [ ! -f "$J/restore" ]; then release_lock; echo MISSING; exit 0; fi
            case "$(cat "$J/status" 2>/dev/null)" in
                done) echo DONE; exit 0 ;;
                aborted) release_lock; clear_boot_hook; echo ABORTED; exit 0 ;;
                restored|reverted|rolled-back) stop_watchdog; clear_boot_hook; release_lock; echo RESTORED; exit 0 ;;
            esac
            mkdir "$J/decided" 2>/dev/null
            stop_watchdog
            if ! sh "$J/restore"; then echo "FAILED some files could not be restored"; exit 0; fi
            echo \(Shell.quote(status)) > "$J/status"
            clear_boot_hook
            release_lock
            reload_detached
            echo RESTORED

            """
    }
}
