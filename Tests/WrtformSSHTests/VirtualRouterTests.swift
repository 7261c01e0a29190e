import Foundation
import Testing
import VirtualRouter

#if canImport(Glibc)
    import Glibc
#endif

/// The virtual router itself, checked without an SSH client: it listens, has the fixture's
/// files, records what runs in it, and goes away cleanly.
@Suite struct VirtualRouterTests {
    @Test func startsListeningWithFixtureAndKeys() async throws {
        try await withVirtualRouter { router in
            #expect(router.host.hasPrefix("127.") && router.host != "127.0.0.1")
            let banner = try Loopback.banner(host: router.host, port: router.port)
            #expect(banner.hasPrefix("SSH-2.0-dropbear"))

            let fixture = FixturePath.routers.appendingPathComponent("openwrt-24.10/etc/config/network")
            let copied = router.root.appendingPathComponent("etc/config/network")
            #expect(try Data(contentsOf: copied) == Data(contentsOf: fixture))

            let knownHosts = try String(contentsOfFile: router.knownHostsFile, encoding: .utf8)
            #expect(knownHosts.hasPrefix("[\(router.host)]:\(router.port) ssh-ed25519 AAAA"))
            let fingerprint = try Tool.run(["ssh-keygen", "-l", "-E", "sha256", "-f", router.knownHostsFile])
            #expect(fingerprint.contains(router.hostKeyFingerprint))
            #expect(router.hostKeyFingerprint.hasPrefix("SHA256:"))

            let clientKey = try String(contentsOfFile: router.clientKeyFile, encoding: .utf8)
            #expect(clientKey.hasPrefix("-----BEGIN OPENSSH PRIVATE KEY-----"))
            let publicKey = try Tool.run(["ssh-keygen", "-y", "-f", router.clientKeyFile])
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let authorized = try String(
                contentsOf: router.root.appendingPathComponent("etc/dropbear/authorized_keys"), encoding: .utf8)
            #expect(authorized.hasPrefix(publicKey))

            let shadow = try String(contentsOf: router.root.appendingPathComponent("etc/shadow"), encoding: .utf8)
            #expect(shadow.hasPrefix("root:$6$"))
        }
    }

    @Test func stopIsIdempotentAndLeavesNothing() async throws {
        let router = try await VirtualRouter.start()
        let (host, port) = (router.host, router.port)
        let state = router.stateDirectory.path
        #expect(try Loopback.banner(host: host, port: port).hasPrefix("SSH-2.0-"))
        router.stop()
        router.stop()
        #expect(!FileManager.default.fileExists(atPath: state))
        #expect(throws: (any Error).self) { try Loopback.banner(host: host, port: port) }
        #expect(!router.isSSHServerRunning)
        #expect(throws: VirtualRouterError.self) { try router.killSSHServer() }
    }

    @Test func twoRoutersGetTheirOwnPortsAndFiles() async throws {
        async let first = VirtualRouter.start()
        async let second = VirtualRouter.start(.init(fixture: "ocn-mape"))
        let (a, b) = try await (first, second)
        defer {
            a.stop()
            b.stop()
        }
        #expect(a.host != b.host)
        #expect(a.root != b.root)
        let network = try String(contentsOf: b.root.appendingPathComponent("etc/config/network"), encoding: .utf8)
        #expect(network.contains("option maptype 'map-e'"))
        #expect(try Loopback.banner(host: b.host, port: b.port).hasPrefix("SSH-2.0-dropbear"))
    }

    @Test func unknownFixtureIsRefused() async throws {
        await #expect(throws: VirtualRouterError.self) {
            _ = try await VirtualRouter.start(.init(fixture: "no-such-router"))
        }
    }

    @Test func rootShellLogsEachCommand() async throws {
        try await withVirtualRouter { router in
            #expect(try router.commandLog().isEmpty)
            let run = try router.runInSandbox("/bin/ash -c 'echo one'; /bin/ash -c \"printf '%s\\n' 'two\nlines'\"")
            #expect(run.exitCode == 0)
            #expect(run.output == "one\ntwo\nlines\n")
            #expect(try router.commandLog() == ["echo one", "printf '%s\\n' 'two\nlines'"])
        }
    }

    @Test func serviceStubsRecordCalls() async throws {
        try await withVirtualRouter { router in
            #expect(try router.serviceCalls().isEmpty)
            let before = Date(timeIntervalSinceNow: -2)
            let run = try router.runInSandbox(
                "/etc/init.d/network reload && /etc/init.d/firewall restart && reload_config && /etc/init.d/network")
            #expect(run.exitCode == 0)
            let calls = try router.serviceCalls()
            #expect(calls.map(\.service) == ["network", "firewall", "reload_config", "network"])
            #expect(calls.map(\.arguments) == [["reload"], ["restart"], [], []])
            #expect(calls.allSatisfy { $0.time >= before && $0.time <= Date(timeIntervalSinceNow: 2) })
        }
    }

    @Test func serviceBehaviorsFailRunAndReset() async throws {
        try await withVirtualRouter { router in
            try router.setServiceBehavior(.fail(3), for: "firewall")
            #expect(try router.runInSandbox("/etc/init.d/firewall reload").exitCode == 3)

            try router.setServiceBehavior(.run("echo custom \"$1\"; exit 7"), for: "network")
            let custom = try router.runInSandbox("/etc/init.d/network reload")
            #expect(custom.exitCode == 7)
            #expect(custom.output == "custom reload\n")

            try router.setServiceBehavior(.succeed, for: "network")
            #expect(try router.runInSandbox("/etc/init.d/network reload").exitCode == 0)
            #expect(try router.serviceCalls().count == 3)
            #expect(throws: VirtualRouterError.self) { try router.setServiceBehavior(.hang, for: "dnsmasq") }
        }
    }

    @Test func hangingServiceNeverReturns() async throws {
        try await withVirtualRouter { router in
            try router.setServiceBehavior(.hang, for: "reload_config")
            // busybox ash has no `timeout`; race the stub against a 2 s sleep from outside.
            let run = try router.runInSandbox(
                "reload_config & pid=$!; sleep 2; if kill -0 $pid 2>/dev/null; then echo still-running; fi")
            #expect(run.output == "still-running\n")
        }
    }

    @Test func onlyOpenWrtToolsAreThere() async throws {
        try await withVirtualRouter { router in
            let missing = [
                "nohup", "setsid", "timeout", "stat", "realpath", "base64", "sha1sum", "bash", "python3",
                "python", "scp", "sftp-server", "curl", "hostname", "diff",
            ]
            for tool in missing {
                let run = try router.runInSandbox("command -v \(tool)")
                #expect(run.exitCode != 0, "\(tool) should not exist on a stock OpenWrt router: \(run.output)")
            }
            let present = [
                "ash", "sh", "awk", "sed", "grep", "ip", "logger", "flock", "lock", "mktemp", "md5sum",
                "sha256sum", "start-stop-daemon", "wget", "[", "[[", "hexdump", "logread",
            ]
            for tool in present {
                let run = try router.runInSandbox("command -v '\(tool)'")
                #expect(run.exitCode == 0, "\(tool) should exist: \(run.output)")
            }
            #expect(try router.runInSandbox("ls /root/.. /usr/bin/python3 2>&1; ls /etc/debian_version").exitCode != 0)
            #expect(try router.runInSandbox("flock /tmp/x echo locked").output == "locked\n")
            #expect(try router.runInSandbox("cat /proc/1/comm; uname -n").output.hasSuffix("OpenWrt\n"))
        }
    }

    @Test func lockHoldsUntilUnlocked() async throws {
        try await withVirtualRouter { router in
            let run = try router.runInSandbox(
                """
                lock /tmp/l && echo locked
                lock -n /tmp/l || echo busy
                lock -u /tmp/l; sleep 0.2
                lock -n /tmp/l && echo again
                lock -u /tmp/l
                """)
            #expect(run.output == "locked\nbusy\nagain\n")
        }
    }

    @Test func loggerWritesWhereTestsRead() async throws {
        try await withVirtualRouter { router in
            #expect(
                try router.runInSandbox("logger -t wrtform 'apply started'; echo x | logger -p daemon.err").exitCode
                    == 0)
            let messages = try router.logMessages()
            #expect(messages.count == 2)
            #expect(messages.first?.hasSuffix("user.notice wrtform: apply started") == true)
            #expect(messages.last?.hasSuffix("daemon.err root: x") == true)
            #expect(try router.runInSandbox("logread -e apply").output.hasSuffix("wrtform: apply started\n"))
        }
    }

    @Test func killRestartAndReplaceHostKey() async throws {
        try await withVirtualRouter { router in
            let (host, port) = (router.host, router.port)
            let knownHosts = try String(contentsOfFile: router.knownHostsFile, encoding: .utf8)
            let fingerprint = router.hostKeyFingerprint

            try router.killSSHServer()
            #expect(!router.isSSHServerRunning)
            #expect(throws: (any Error).self) { try Loopback.banner(host: host, port: port) }

            try await router.restartSSHServer()
            #expect(router.isSSHServerRunning)
            #expect(try Loopback.banner(host: host, port: port).hasPrefix("SSH-2.0-dropbear"))
            #expect(router.hostKeyFingerprint == fingerprint)

            try await router.replaceHostKey()
            #expect(router.port == port)
            #expect(try Loopback.banner(host: host, port: port).hasPrefix("SSH-2.0-dropbear"))
            #expect(router.hostKeyFingerprint != fingerprint)
            #expect(try String(contentsOfFile: router.knownHostsFile, encoding: .utf8) == knownHosts)
            let served = try Tool.run([
                "ssh-keygen", "-l", "-E", "sha256", "-f",
                router.root.appendingPathComponent("etc/dropbear/authorized_keys").path,
            ])
            #expect(!served.contains(router.hostKeyFingerprint))
        }
    }

    @Test func behaviorScriptCanCutTheRouterOff() async throws {
        try await withVirtualRouter { router in
            let before = try router.runInSandbox("pidof dropbear")
            #expect(before.exitCode == 0)
            try router.setServiceBehavior(.run("killall dropbear"), for: "network")
            // Runs inside the live sandbox, as a reload over SSH would: dropbear dies, the router
            // (its init, the stub, a watchdog) keeps running — a router we can no longer reach.
            let run = try router.runInSandbox("/etc/init.d/network reload; echo survived")
            #expect(run.output.contains("survived"))
            #expect(try router.serviceCalls().map(\.arguments) == [["reload"]])
            // The server's exit is noticed asynchronously: give it a bounded moment under load.
            var waited = 0
            while router.isSSHServerRunning && waited < 50 {
                try await Task.sleep(for: .milliseconds(100))
                waited += 1
            }
            #expect(!router.isSSHServerRunning)
            #expect(throws: (any Error).self) { try Loopback.banner(host: router.host, port: router.port) }

            try router.setServiceBehavior(.succeed, for: "network")
            try await router.restartSSHServer()
            #expect(try Loopback.banner(host: router.host, port: router.port).hasPrefix("SSH-2.0-dropbear"))
        }
    }
}

/// The delaying proxy, against a small echo server and the virtual router's SSH server.
@Suite struct DelayingProxyTests {
    @Test func forwardsBothWaysNoSoonerThanTheDelay() throws {
        let echo = try EchoServer()
        defer { echo.stop() }
        let proxy = try DelayingProxy(targetHost: "127.0.0.1", targetPort: echo.port, delay: .milliseconds(150))
        defer { proxy.stop() }
        let connection = try Loopback.Connection(port: proxy.port)
        let start = ContinuousClock.now
        try connection.send("ping\n")
        #expect(try connection.readLine() == "ping")
        // A round trip crosses the proxy twice; it cannot be faster than that (no upper bound asserted).
        #expect(ContinuousClock.now - start >= .milliseconds(300))
        let bulk = String(repeating: "0123456789", count: 20_000)
        try connection.send(bulk + "\n")
        #expect(try connection.readLine() == bulk)
        #expect(proxy.connectionCount == 1)
    }

    @Test func cutAllDropsOpenConnectionsAndKeepsAccepting() async throws {
        try await withVirtualRouter { router in
            let proxy = try DelayingProxy(targetHost: router.host, targetPort: router.port, delay: .milliseconds(5))
            defer { proxy.stop() }
            let first = try Loopback.Connection(port: proxy.port)
            #expect(try first.readLine()?.hasPrefix("SSH-2.0-dropbear") == true)
            #expect(proxy.activeConnectionCount == 1)
            proxy.cutAll()
            // dropbear sends its key exchange right after the banner and then waits for us;
            // reaching end of stream (not the 5 s read timeout) shows the cut.
            try first.readToEnd()
            let second = try Loopback.Connection(port: proxy.port)
            #expect(try second.readLine()?.hasPrefix("SSH-2.0-dropbear") == true)
            #expect(proxy.connectionCount == 2)
        }
    }

    @Test func targetDownClosesTheClientAndStopEndsListening() throws {
        // Take the target's port first and free it after, so the proxy's own port differs from it.
        let echo = try EchoServer()
        let proxy = try DelayingProxy(targetHost: "127.0.0.1", targetPort: echo.port, delay: .zero)
        echo.stop()
        let connection = try Loopback.Connection(port: proxy.port)
        #expect(try connection.readLine() == nil)
        #expect(proxy.connectionCount == 1)
        let proxyPort = proxy.port
        proxy.stop()
        proxy.stop()
        #expect(throws: (any Error).self) { try Loopback.Connection(port: proxyPort) }
    }
}

/// Where the test run finds the fixtures (same rule as the router itself).
enum FixturePath {
    static var routers: URL {
        if let override = ProcessInfo.processInfo.environment["WRTFORM_FIXTURES"], !override.isEmpty {
            return URL(fileURLWithPath: override).appendingPathComponent("routers")
        }
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/routers")
    }
}

/// Runs a host tool for a check (tests only).
enum Tool {
    static func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}

/// A raw TCP look at a loopback port.
enum Loopback {
    struct Refused: Error {}

    /// Connects to host:port and returns the first line the server sends.
    static func banner(host: String = "127.0.0.1", port: Int) throws -> String {
        guard let line = try Connection(host: host, port: port).readLine() else { throw Refused() }
        return line
    }

    /// A blocking client socket with a 5 s read timeout.
    final class Connection {
        let fd: Int32

        init(host: String = "127.0.0.1", port: Int) throws {
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw Refused() }
            var timeout = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr(host)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard connected == 0 else {
                close(fd)
                throw Refused()
            }
        }

        deinit { close(fd) }

        func send(_ text: String) throws {
            var bytes = Array(text.utf8)[...]
            while !bytes.isEmpty {
                let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                guard sent > 0 else { throw Refused() }
                bytes = bytes.dropFirst(sent)
            }
        }

        /// Reads until the peer closes; throws on timeout or error.
        func readToEnd() throws {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = read(fd, &buffer, buffer.count)
                if count == 0 { return }
                guard count > 0 else { throw Refused() }
            }
        }

        /// The next line without its newline, or nil at end of stream.
        func readLine() throws -> String? {
            var line = [UInt8]()
            var byte: UInt8 = 0
            while true {
                let count = read(fd, &byte, 1)
                if count == 0 { return line.isEmpty ? nil : String(decoding: line, as: UTF8.self) }
                guard count == 1 else { throw Refused() }
                if byte == UInt8(ascii: "\n") { return String(decoding: line, as: UTF8.self) }
                line.append(byte)
            }
        }
    }
}

/// A one-connection-at-a-time TCP echo server on 127.0.0.1.
final class EchoServer: Sendable {
    let port: Int
    private let listener: Int32

    init() throws {
        guard let (fd, port) = SilentListener.listen() else { throw Loopback.Refused() }
        listener = fd
        self.port = port
        let listening = fd
        Thread.detachNewThread {
            while true {
                let client = accept(listening, nil, nil)
                if client < 0 { return }
                var buffer = [UInt8](repeating: 0, count: 65536)
                while true {
                    let count = read(client, &buffer, buffer.count)
                    if count <= 0 { break }
                    var offset = 0
                    while offset < count {
                        let sent = buffer[offset..<count].withUnsafeBytes {
                            Glibc.send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
                        }
                        if sent <= 0 { break }
                        offset += sent
                    }
                }
                close(client)
            }
        }
    }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }
}
