/// The bubblewrap command line that runs a program inside the router's filesystem.
///
/// Mount and pid namespaces (plus ipc and uts, for the hostname); the host network, so the
/// SSH server listens on the host's loopback. The sandbox's `/` is the router tree; only the
/// borrowed programs and the libraries dropbear and flock need come from the host, read-only.
/// `tmpfs`: small RAM disks over paths of the router (path → bytes), for no-space tests.
enum SandboxCommand {
    static let hostname = "OpenWrt"
    static let path = "/usr/sbin:/usr/bin:/sbin:/bin"

    static func arguments(tools: HostTools, tree: RouterTree, tmpfs: [String: Int] = [:], command: [String]) -> [String]
    {
        var arguments = [
            tools.bwrap,
            "--die-with-parent",
            "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--hostname", hostname,
            "--bind", tree.root.path, "/",
            "--bind", tree.record.path, RouterScripts.recordMount,
            "--ro-bind", tools.busybox, "/bin/busybox",
            "--ro-bind", tools.dropbear, "/usr/sbin/dropbear",
            "--ro-bind", tools.flock, "/usr/bin/flock",
        ]
        for library in tools.libraries {
            arguments += ["--ro-bind", library, library]
        }
        for (path, bytes) in tmpfs.sorted(by: { $0.key < $1.key }) {
            arguments += ["--size", String(bytes), "--tmpfs", path]
        }
        arguments += [
            "--proc", "/proc",
            "--dev", "/dev",
            "--clearenv",
            "--setenv", "PATH", path,
            "--setenv", "HOME", "/root",
            "--chdir", "/",
            "--",
        ]
        return arguments + command
    }
}
