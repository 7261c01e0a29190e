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
            else
                rm -f "$2"
            fi
        }

        """
        for (index, file) in transaction.files.enumerated() {
            s += "r \(index) \(Shell.quote(file.path))\n"
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
}
