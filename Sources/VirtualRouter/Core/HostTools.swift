import Foundation
import Synchronization

/// The host programs the virtual router borrows, found on the host at start.
struct HostTools: Sendable {
    var bwrap: String
    var dropbear: String
    var dropbearkey: String
    var busybox: String
    var flock: String
    var sshKeygen: String
    /// util-linux nsenter, to run test commands inside the running sandbox.
    var nsenter: String
    /// Shared libraries dropbear, flock and busybox need (absolute host paths, as ldd names them).
    var libraries: [String]
    /// Busybox applets and where busybox installs each (e.g. "usr/bin/awk").
    var appletPaths: [String: String]

    /// Found once per process: the host does not change under a test run.
    private static let found = Mutex<HostTools?>(nil)

    static func locate() throws -> HostTools {
        if let tools = found.withLock({ $0 }) { return tools }
        let tools = try search()
        found.withLock { $0 = tools }
        return tools
    }

    private static func search() throws -> HostTools {
        let bwrap = try find("bwrap", package: "bubblewrap")
        let dropbear = try find("dropbear", package: "dropbear-bin")
        let dropbearkey = try find("dropbearkey", package: "dropbear-bin")
        let busybox = try findBusybox()
        let flock = try find("flock", package: "util-linux")
        let sshKeygen = try find("ssh-keygen", package: "openssh-client")
        let nsenter = try find("nsenter", package: "util-linux")
        var libraries: [String] = []
        for binary in [dropbear, flock, busybox] {
            for library in try sharedLibraries(of: binary) where !libraries.contains(library) {
                libraries.append(library)
            }
        }
        var appletPaths: [String: String] = [:]
        for line in try ChildProcess.run([busybox, "--list-full"]).split(separator: "\n") {
            let path = String(line)
            let name = path.split(separator: "/").last.map(String.init) ?? path
            appletPaths[name] = path
        }
        return HostTools(
            bwrap: bwrap, dropbear: dropbear, dropbearkey: dropbearkey, busybox: busybox,
            flock: flock, sshKeygen: sshKeygen, nsenter: nsenter, libraries: libraries, appletPaths: appletPaths)
    }

    /// Where `.ci/setup` unpacks Debian's `busybox` package.
    static let unpackedBusybox = "/usr/local/lib/wrtform/busybox/bin/busybox"

    /// A busybox whose ash looks commands up in PATH (`WRTFORM_BUSYBOX` overrides the path).
    /// busybox-static's ash is "standalone": it runs any applet it has (nohup, timeout, stat…)
    /// whatever PATH says, which would hide exactly what a stock router lacks — so it is refused.
    private static func findBusybox() throws -> String {
        let path =
            ProcessInfo.processInfo.environment["WRTFORM_BUSYBOX"].flatMap { $0.isEmpty ? nil : $0 }
            ?? unpackedBusybox
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw VirtualRouterError(
                .toolMissing, "no busybox for the virtual router at \(path)",
                remedy: "run `bash .ci/setup` (it unpacks Debian's busybox package there)")
        }
        let (termination, output) = try ChildProcess.runCapturing([
            "/usr/bin/env", "-i", "PATH=/nonexistent", path, "ash", "-c", "command -v nohup",
        ])
        guard termination != .exited(0) else {
            throw VirtualRouterError(
                .toolFailed,
                "\(path) runs applets regardless of PATH (found nohup at '\(output.trimmingCharacters(in: .whitespacesAndNewlines))')",
                remedy: "use Debian's dynamic busybox package, not busybox-static (`bash .ci/setup`)")
        }
        return path
    }

    private static func find(_ name: String, package: String) throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories =
            path.split(separator: ":").map(String.init)
            + ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]
        for directory in directories {
            let candidate = directory + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw VirtualRouterError(
            .toolMissing, "`\(name)` not found on this machine",
            remedy: "install Debian's \(package) (`bash .ci/setup` does)")
    }

    /// The libraries the dynamic loader maps for `binary`, loader included.
    private static func sharedLibraries(of binary: String) throws -> [String] {
        var libraries: [String] = []
        for line in try ChildProcess.run(["ldd", binary]).split(separator: "\n") {
            // "libz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x…)" or "/lib64/ld-linux-x86-64.so.2 (0x…)"
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            if let arrow = words.firstIndex(of: "=>"), arrow + 1 < words.count, words[arrow + 1].hasPrefix("/") {
                libraries.append(words[arrow + 1])
            } else if let first = words.first, first.hasPrefix("/") {
                libraries.append(first)
            }
        }
        return libraries
    }
}
