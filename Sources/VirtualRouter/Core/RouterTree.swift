import Foundation

/// Lays out a router's filesystem on the host: the fixture's files copied, busybox applets as
/// symlinks where OpenWrt has them, recording stand-ins, and empty files where bubblewrap
/// mounts the borrowed host programs.
struct RouterTree: Sendable {
    /// The sandbox's `/` on the host.
    let root: URL
    /// The record directory (mounted at `RouterScripts.recordMount` inside).
    let record: URL

    static func build(
        in state: URL, fixture: URL, tools: HostTools, rootPasswordHash: String,
        packageManager: PackageManagerKind? = nil
    ) throws -> RouterTree {
        let files = FileManager.default
        let root = state.appendingPathComponent("root", isDirectory: true)
        let record = state.appendingPathComponent("record", isDirectory: true)
        try files.createDirectory(at: root, withIntermediateDirectories: true)
        try files.createDirectory(
            at: record.appendingPathComponent(RouterScripts.behaviorDirectoryName), withIntermediateDirectories: true)
        for name in [RouterScripts.commandLogName, RouterScripts.serviceLogName, RouterScripts.syslogName] {
            try Data().write(to: record.appendingPathComponent(name))
        }

        for item in try files.contentsOfDirectory(atPath: fixture.path) {
            try files.copyItem(at: fixture.appendingPathComponent(item), to: root.appendingPathComponent(item))
        }

        let tree = RouterTree(root: root, record: record)
        for directory in [
            "bin", "sbin", "usr/bin", "usr/sbin", "lib", "etc/init.d", "proc", "dev", "sys", "mnt", "overlay",
            String(RouterScripts.recordMount.dropFirst()),
        ] {
            try tree.makeDirectory(directory)
        }
        // The network devices a DSA router has (/sys/class/net; here plain directories): the
        // snapshot lists them, and a step naming any other device is warned about.
        for device in ["lo", "eth0", "lan1", "lan2", "lan3", "lan4", "wan", "br-lan"] {
            try tree.makeDirectory("sys/class/net/" + device)
        }
        try tree.makeDirectory("tmp", mode: 0o1777)
        for directory in ["tmp/run", "tmp/lock", "tmp/log", "tmp/state"] {
            try tree.makeDirectory(directory)
        }
        try tree.makeDirectory("root", mode: 0o700)
        try tree.makeDirectory("etc/dropbear", mode: 0o700)
        // OpenWrt: /var is a symlink to /tmp (tmpfs), so /var/run is /tmp/run.
        try tree.symlink("var", to: "tmp")
        // Debian's dropbear reads ~/.ssh/authorized_keys; OpenWrt's reads /etc/dropbear/authorized_keys.
        try tree.symlink("root/.ssh", to: "../etc/dropbear")

        // Mount points for the host programs.
        for mountPoint in ["bin/busybox", "usr/sbin/dropbear", "usr/bin/flock"] {
            try tree.write(mountPoint, "", mode: 0o755)
        }
        for applet in BusyboxApplets.openWrt.sorted() {
            guard let path = tools.appletPaths[applet], !tree.exists(path) else { continue }
            try tree.symlink(path, to: appletLinkTarget(path))
        }

        try tree.write("bin/ash", RouterScripts.loginShell, mode: 0o755)
        try tree.write("usr/bin/logger", RouterScripts.logger, mode: 0o755)
        try tree.write("sbin/logread", RouterScripts.logread, mode: 0o755)
        try tree.write("bin/lock", RouterScripts.lock, mode: 0o755)
        for (service, path) in RouterScripts.stubbedServices {
            try tree.write(path, RouterScripts.serviceStub(service), mode: 0o755)
        }

        if let packageManager { try RouterPackages.install(packageManager, into: tree) }
        try tree.writeAccounts(rootPasswordHash: rootPasswordHash)
        return tree
    }

    func url(_ path: String) -> URL { root.appendingPathComponent(path) }

    /// Where an applet's symlink at `path` (e.g. "usr/bin/awk") points: busybox, relatively.
    static func appletLinkTarget(_ path: String) -> String {
        let depth = path.split(separator: "/").count - 1
        return depth == 1 && path.hasPrefix("bin/") ? "busybox" : String(repeating: "../", count: depth) + "bin/busybox"
    }

    /// Puts `text` (mode 0755) or, with nil, the applet's busybox symlink at `path`, replacing
    /// what is there in one rename, so a router running the applet never finds it missing.
    func replaceApplet(_ path: String, with text: String?) throws {
        let temporary = url(path + ".vr-\(UUID().uuidString)")
        if let text {
            try Data(text.utf8).write(to: temporary)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: temporary.path)
        } else {
            try FileManager.default.createSymbolicLink(
                atPath: temporary.path, withDestinationPath: Self.appletLinkTarget(path))
        }
        guard rename(temporary.path, url(path).path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw VirtualRouterError(.sandboxFailed, "cannot replace /\(path) in the router: \(reason)")
        }
    }

    func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(url(path).path, &info) == 0
    }

    func makeDirectory(_ path: String, mode: Int = 0o755) throws {
        try FileManager.default.createDirectory(at: url(path), withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: url(path).path)
    }

    func symlink(_ path: String, to target: String) throws {
        guard !exists(path) else { return }
        try FileManager.default.createSymbolicLink(atPath: url(path).path, withDestinationPath: target)
    }

    func write(_ path: String, _ text: String, mode: Int = 0o644) throws {
        let file = url(path)
        if exists(path) { try FileManager.default.removeItem(at: file) }
        try Data(text.utf8).write(to: file)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: file.path)
    }

    /// root's password in shadow set to the known test password; the fixture must bring
    /// passwd (root's shell /bin/ash), group, shadow and shells as a stock router has them.
    private func writeAccounts(rootPasswordHash: String) throws {
        for file in ["etc/passwd", "etc/group", "etc/shadow", "etc/shells"] where !exists(file) {
            throw VirtualRouterError(
                .fixtureMissing, "the router fixture has no /\(file)",
                remedy: "copy it from Fixtures/routers/openwrt-24.10/\(file)")
        }
        let shadowFile = url("etc/shadow")
        let shadow = try String(contentsOf: shadowFile, encoding: .utf8)
        var lines = shadow.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if let index = lines.firstIndex(where: { $0.hasPrefix("root:") }) {
            var fields = lines[index].split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            if fields.count > 1 { fields[1] = rootPasswordHash }
            lines[index] = fields.joined(separator: ":")
        } else {
            lines.insert("root:\(rootPasswordHash):0:0:99999:7:::", at: 0)
        }
        try write("etc/shadow", lines.joined(separator: "\n"), mode: 0o600)
    }
}
