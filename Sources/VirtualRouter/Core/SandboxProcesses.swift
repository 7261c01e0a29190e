import Foundation

/// Finds processes of a running sandbox from the host side.
enum SandboxProcesses {
    /// The first child of `pid` — for bwrap with `--unshare-pid`, the sandbox's pid 1.
    static func child(of pid: pid_t) -> pid_t? {
        let childrenFile = "/proc/\(pid)/task/\(pid)/children"
        if let text = try? String(contentsOfFile: childrenFile, encoding: .utf8),
            let first = text.split(separator: " ").first.flatMap({ pid_t($0) })
        {
            return first
        }
        // Kernels without CONFIG_PROC_CHILDREN: scan every process's parent.
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let candidate = pid_t(entry),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let afterName = stat.range(of: ") ", options: .backwards)
            else { continue }
            // Fields after "(comm) ": state, ppid, …
            let fields = stat[afterName.upperBound...].split(separator: " ")
            if fields.count > 1, pid_t(fields[1]) == pid { return candidate }
        }
        return nil
    }
}
