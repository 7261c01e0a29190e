/// Scripts kept in each run's journal on the router, so the watchdog, the boot hook and wrtform itself
/// restore a run the same way, with nothing but busybox.
enum JournalScripts {
    /// Puts every file the run changed back as it was (or removes it if it did not exist), atomically.
    static func restore(_ transaction: WriteTransaction) -> String {
        var s = "J=\(Shell.quote(Shell.journal(transaction.runID)))\n"
        s += """
        r() {
            if [ -f "$J/files/$1" ]; then
                t=$(mktemp "${2%/*}/.wrtform-restore-XXXXXX") && cp -p "$J/files/$1" "$t" && mv -f "$t" "$2"
            elif [ "$3" = absent ]; then
                rm -f "$2"
            fi
        }

        """
        // A file that existed but has no journal copy was never replaced (copies are synced before
        // any rename): leave it. Only files that did not exist before are removed.
        for (index, file) in transaction.files.enumerated() {
            s += "r \(index) \(Shell.quote(file.path)) \(file.expectedHash == "absent" ? "absent" : "existed")\n"
        }
        s += "sync\n"
        return s
    }

    /// Reloads what the run touched; each service's exit status is reported.
    static func reload(services: [String]) -> String {
        services.map { command(for: $0) }.joined(separator: "\n") + "\n"
    }

    static func command(for service: String) -> String {
        switch service {
        case "reload_config": return "/sbin/reload_config"
        default: return "/etc/init.d/\(service) reload"
        }
    }

    /// Installed while a run awaits confirmation: OpenWrt runs /etc/uci-defaults scripts early at
    /// boot and deletes those that exit 0, so a reboot inside the confirm window still restores.
    static let bootHookPath = "/etc/uci-defaults/99-wrtform-restore"

    static let bootHook = """
        # wrtform: restore runs that were never confirmed (the router rebooted while waiting).
        for d in \(Shell.runs)/*; do
            [ -f "$d/status" ] || continue
            case "$(cat "$d/status")" in
                pending|writing) sh "$d/restore" && echo reverted > "$d/status" && logger -t wrtform "run ${d##*/} restored at boot" ;;
            esac
        done
        rm -rf \(Shell.lock)
        exit 0

        """

    /// Removes the boot hook once no run awaits confirmation.
    static let clearBootHook = """
        clear_boot_hook() {
            for d in \(Shell.runs)/*; do [ "$(cat "$d/status" 2>/dev/null)" = pending ] && return 0; done
            rm -f \(bootHookPath)
        }

        """
}
