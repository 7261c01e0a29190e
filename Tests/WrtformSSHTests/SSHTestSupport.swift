import Foundation
import Testing
import VirtualRouter
import WrtformSSH

#if canImport(Glibc)
    import Glibc
#endif

/// Shared set-up for the SSH tests: every connection goes to a VirtualRouter on its own loopback address.
enum SSHTestSupport {
    static func target(_ router: VirtualRouter) -> SSHTarget {
        SSHTarget(host: router.host, port: router.port, user: "root")
    }

    /// The router reached through a proxy in front of it.
    static func target(_ proxy: DelayingProxy) -> SSHTarget {
        SSHTarget(host: proxy.host, port: proxy.port, user: "root")
    }

    /// The router's own client key, nothing else (no agent, no password).
    static func keyOnly(_ router: VirtualRouter) -> SSHCredentials {
        SSHCredentials(agent: false, identityFiles: [router.clientKeyFile])
    }

    /// Connects with the client key, checking the host key strictly against the router's
    /// known_hosts file.
    static func connect(_ router: VirtualRouter, keepalive: Duration? = .seconds(15)) async throws -> SSHConnection {
        try await SSHConnection.connect(
            to: target(router), hostKeyPolicy: .knownHosts(file: router.knownHostsFile),
            credentials: keyOnly(router), keepaliveInterval: keepalive)
    }

    /// A fresh directory under the temporary directory, for known_hosts files and keys.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("wrtform-ssh-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Runs a host tool; returns its exit status and its stdout (stderr is discarded).
    @discardableResult
    static func run(_ arguments: [String], stdin: [UInt8] = [], environment: [String: String]? = nil) throws
        -> (status: Int32, output: String)
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        if let environment {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let output = Pipe()
        let input = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = input
        try process.run()
        let writer = Thread {
            input.fileHandleForWriting.write(Data(stdin))
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Makes an ed25519 key pair with ssh-keygen; returns the private key's path.
    static func makeKey(in directory: URL, name: String, passphrase: String = "") throws -> String {
        let path = directory.appendingPathComponent(name).path
        let result = try run(["ssh-keygen", "-q", "-t", "ed25519", "-N", passphrase, "-C", name, "-f", path])
        try #require(result.status == 0)
        return path
    }

    /// Lets `privateKey` log in as root on the router.
    static func authorize(_ privateKey: String, on router: VirtualRouter) throws {
        let publicKey = try String(contentsOfFile: privateKey + ".pub", encoding: .utf8)
        let file = router.root.appendingPathComponent("etc/dropbear/authorized_keys")
        let handle = try FileHandle(forWritingTo: file)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(publicKey.utf8))
    }

    /// sha256 in hex as `sha256sum` prints it, computed on this machine.
    static func sha256Hex(_ bytes: [UInt8]) throws -> String {
        let result = try run(["sha256sum"], stdin: bytes)
        return String(result.output.prefix(64))
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// Milliseconds since `start`, for printed measurements.
    static func milliseconds(since start: ContinuousClock.Instant) -> Int {
        let (seconds, attoseconds) = start.duration(to: .now).components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}

/// An ssh-agent for one test, on its own socket.
final class TestAgent {
    let socket: String
    private let process: Process

    init(directory: URL) throws {
        socket = directory.appendingPathComponent("agent.sock").path
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ssh-agent", "-D", "-a", socket]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: socket) {
            usleep(20_000)
        }
    }

    func add(_ privateKey: String) throws {
        let result = try SSHTestSupport.run(["ssh-add", "-q", privateKey], environment: ["SSH_AUTH_SOCK": socket])
        try #require(result.status == 0)
    }

    /// SIGKILL: ssh-agent in -D mode ignores SIGTERM.
    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

/// A TCP listener on 127.0.0.1 that never answers: connections complete in the kernel's
/// backlog but no SSH banner ever comes.
final class SilentListener {
    let port: Int
    private let fd: Int32

    init() throws {
        (fd, port) = try #require(Self.listen())
    }

    deinit { close(fd) }

    /// A listening socket on 127.0.0.1 with a kernel-chosen port; nil if that fails.
    static func listen() -> (fd: Int32, port: Int)? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && Glibc.listen(fd, 8) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard ok else {
            close(fd)
            return nil
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }
}
