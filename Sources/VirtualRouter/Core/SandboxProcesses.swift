import Foundation

/// Finds processes of a running sandbox from the host side.
enum SandboxProcesses {
    /// The first child of `pid` — for bwrap with `--unshare-pid`, the sandbox's pid 1.
    static func child(of pid: pid_t) -> pid_t? {
        children(of: pid).first
    }

    /// Every child of `pid`, oldest first.
    static func children(of pid: pid_t) -> [pid_t] {
        let childrenFile = "/proc/\(pid)/task/\(pid)/children"
        if let text = try? String(contentsOfFile: childrenFile, encoding: .utf8) {
            return text.split(separator: " ").compactMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        // Kernels without CONFIG_PROC_CHILDREN: scan every process's parent.
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        var found: [pid_t] = []
        for entry in entries {
            guard let candidate = pid_t(entry),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let afterName = stat.range(of: ") ", options: .backwards)
            else { continue }
            // Fields after "(comm) ": state, ppid, …
            let fields = stat[afterName.upperBound...].split(separator: " ")
            if fields.count > 1, pid_t(fields[1]) == pid { found.append(candidate) }
        }
        return found.sorted()
    }

    /// The process's name as the kernel keeps it (/proc/PID/comm), or nil once it is gone.
    static func name(of pid: pid_t) -> String? {
        (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?.trimmingCharacters(
            in: .whitespacesAndNewlines)
    }

    /// Whether the sandbox whose outer bwrap is `bwrap` has its SSH server (the dropbear the
    /// sandbox's init started, not a session's) running.
    static func isDropbearRunning(inSandboxOf bwrap: pid_t) -> Bool {
        guard let sandboxInit = child(of: bwrap) else { return false }
        for shell in children(of: sandboxInit) {
            if children(of: shell).contains(where: { name(of: $0) == "dropbear" }) { return true }
        }
        return false
    }
}
