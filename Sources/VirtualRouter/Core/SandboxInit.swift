/// The sandbox's first process: a busybox ash loop that runs dropbear.
///
/// Why not dropbear itself: the pid namespace ends with its first process, so a router whose SSH
/// server died (killed by a behavior script, as a bad firewall reload would cut a real router off)
/// would take every other process with it — the watchdog wrtform leaves on the router included.
/// With this loop the router keeps running without SSH, as a real one does, until the host asks
/// for dropbear again by changing the `sshd.wanted` record file (`restartSSHServer()`).
enum SandboxInit {
    /// The record file whose change starts dropbear again.
    static let wantedFileName = "sshd.wanted"

    /// `ash -c SCRIPT vr-init HOST:PORT`: busybox's own applets by full path, so tests that wrap an
    /// applet (`setAppletBehavior`) never touch the init.
    static func command(endpoint: LoopbackEndpoint, hostKeyPath: String, pidFile: String) -> [String] {
        let script = """
            wanted() { /bin/busybox cat \(RouterScripts.recordMount)/\(wantedFileName) 2>/dev/null; }
            g=$(wanted)
            while :; do
                /usr/sbin/dropbear -F -E -p "$1" -r \(hostKeyPath) -P \(pidFile)
                while [ "$(wanted)" = "$g" ]; do /bin/busybox sleep 0.1; done
                g=$(wanted)
            done
            """
        return ["/bin/busybox", "ash", "-c", script, "vr-init", "\(endpoint.host):\(endpoint.port)"]
    }
}
