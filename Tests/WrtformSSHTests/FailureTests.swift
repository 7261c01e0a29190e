import Foundation
import Testing
import VirtualRouter
import WrtformSSH

/// What happens when things go wrong mid-way: every case ends in an error, never a hang.
@Suite struct FailureTests {
    @Test func commandPastItsTimeoutFailsAndTheConnectionReportsItsState() async throws {
        try await withVirtualRouter { router in
            let connection = try await SSHTestSupport.connect(router)
            let started = ContinuousClock.now
            let error = await #expect(throws: SSHError.self) {
                _ = try await connection.exec("sleep 20; echo late", timeout: .milliseconds(500))
            }
            let elapsed = SSHTestSupport.milliseconds(since: started)
            let timeout = try #require(error)
            print("timed out after \(elapsed) ms: \(timeout)")
            #expect(timeout.kind == .commandTimedOut)
            // Not waiting for the 20 s command (the kind already says it did not finish); the
            // bound is loose because a loaded machine can starve the whole suite for seconds.
            #expect(elapsed < 18_000)
            #expect(!timeout.description.contains("sleep"))

            if await connection.isConnected {
                #expect(timeout.description.hasSuffix("the connection is still open"))
                #expect(try await connection.exec("echo still").stdoutText == "still\n")
                // A second abandoned command whose end comes soon: its channel is freed when the
                // next command starts, and the session carries on.
                await #expect(throws: SSHError.self) {
                    _ = try await connection.exec("sleep 1", timeout: .milliseconds(200))
                }
                try await Task.sleep(for: .seconds(2))
                #expect(try await connection.exec("echo later").stdoutText == "later\n")
            } else {
                #expect(timeout.description.hasSuffix("the connection was closed"))
                let closed = await #expect(throws: SSHError.self) { _ = try await connection.exec("true") }
                #expect(closed?.kind == .closed)
            }
            await connection.close()
        }
    }

    @Test func keepalivesKeepAQuietCommandAliveAndExposeAFrozenRouter() async throws {
        try await withVirtualRouter { router in
            let connection = try await SSHTestSupport.connect(router, keepalive: .seconds(2))
            // Quiet for longer than three keepalive intervals, but answering them: fine.
            #expect(try await connection.exec("sleep 7; echo awake", timeout: .seconds(30)).stdoutText == "awake\n")
            // Idle between commands with keepalives running: fine.
            try await Task.sleep(for: .seconds(3))
            #expect(try await connection.exec("echo idle").stdoutText == "idle\n")

            // Freeze every dropbear in the router: TCP stays up, nothing answers.
            let started = ContinuousClock.now
            let outcome = Task { try await connection.exec("sleep 60", timeout: .seconds(40)) }
            try await Task.sleep(for: .milliseconds(500))
            #expect(try router.runInSandbox("kill -STOP $(pidof dropbear)").exitCode == 0)
            let error = await #expect(throws: SSHError.self) { _ = try await outcome.value }
            print("after \(SSHTestSupport.milliseconds(since: started)) ms: \(try #require(error))")
            #expect(error?.kind == .connectionLost)
            #expect(error?.description.contains("stopped answering") == true)
            #expect(await connection.isConnected == false)
            _ = try? router.runInSandbox("kill -CONT $(pidof dropbear)")
        }
    }

    @Test func serverKilledMidCommandIsAnErrorNotAHang() async throws {
        try await withVirtualRouter { router in
            let connection = try await SSHTestSupport.connect(router)
            let started = ContinuousClock.now
            let outcome = Task { try await connection.exec("sleep 30", timeout: .seconds(20)) }
            try await Task.sleep(for: .milliseconds(500))
            try router.killSSHServer()
            let error = await #expect(throws: SSHError.self) { _ = try await outcome.value }
            print("after \(SSHTestSupport.milliseconds(since: started)) ms: \(try #require(error))")
            #expect(error?.kind == .connectionLost)
            #expect(await connection.isConnected == false)
            let again = await #expect(throws: SSHError.self) { _ = try await connection.exec("true") }
            #expect(again?.kind == .closed)
        }
    }

    @Test func connectionCutByTheNetworkIsAnError() async throws {
        try await withVirtualRouter { router in
            let proxy = try DelayingProxy(targetHost: router.host, targetPort: router.port, delay: .milliseconds(1))
            defer { proxy.stop() }
            let connection = try await SSHConnection.connect(
                to: SSHTestSupport.target(proxy),
                hostKeyPolicy: .fingerprint(router.hostKeyFingerprint), credentials: SSHTestSupport.keyOnly(router))
            let outcome = Task { try await connection.exec("sleep 30", timeout: .seconds(20)) }
            try await Task.sleep(for: .milliseconds(500))
            proxy.cutAll()
            let error = await #expect(throws: SSHError.self) { _ = try await outcome.value }
            print(try #require(error))
            #expect(error?.kind == .connectionLost)
        }
    }

    @Test func cancellingTheTaskStopsTheCommand() async throws {
        try await withVirtualRouter { router in
            let connection = try await SSHTestSupport.connect(router)
            let started = ContinuousClock.now
            let task = Task { try await connection.exec("sleep 120") }
            try await Task.sleep(for: .milliseconds(500))
            task.cancel()
            let result = await task.result
            let elapsed = SSHTestSupport.milliseconds(since: started)
            print("cancelled after \(elapsed) ms; connected: \(await connection.isConnected)")
            #expect(throws: CancellationError.self) { _ = try result.get() }
            // Not waiting for the 120 s command (loose: the suite runs in parallel on two cores).
            #expect(elapsed < 90_000)
            if await connection.isConnected {
                #expect(try await connection.exec("echo after").stdoutText == "after\n")
            }
            await connection.close()
        }
    }

    @Test func closedConnectionRefusesCommands() async throws {
        try await withVirtualRouter { router in
            let connection = try await SSHTestSupport.connect(router)
            await connection.close()
            await connection.close()
            #expect(await connection.isConnected == false)
            let error = await #expect(throws: SSHError.self) { _ = try await connection.exec("true") }
            #expect(error?.kind == .closed)
            #expect(
                error?.description
                    == "root@\(router.host):\(router.port) is not connected (it was closed); connect again")
        }
    }

    @Test func nobodyListeningIsUnreachable() async throws {
        let port = try { () throws -> Int in
            let listener = try SilentListener()
            return listener.port // closed again when the listener goes away
        }()
        let error = await #expect(throws: SSHError.self) {
            _ = try await SSHConnection.connect(
                to: SSHTarget(host: "127.0.0.1", port: port), hostKeyPolicy: .fingerprint("SHA256:x"),
                credentials: SSHCredentials(agent: false))
        }
        print(try #require(error))
        #expect(error?.kind == .unreachable)
        #expect(error?.description.contains("connection refused") == true)
    }

    @Test func silentServerTimesOutTheConnect() async throws {
        let listener = try SilentListener()
        let started = ContinuousClock.now
        let error = await #expect(throws: SSHError.self) {
            _ = try await SSHConnection.connect(
                to: SSHTarget(host: "127.0.0.1", port: listener.port), hostKeyPolicy: .fingerprint("SHA256:x"),
                credentials: SSHCredentials(agent: false), connectTimeout: .milliseconds(500))
        }
        let elapsed = SSHTestSupport.milliseconds(since: started)
        print("after \(elapsed) ms: \(try #require(error))")
        #expect(error?.kind == .connectTimedOut)
        // The silent server would otherwise hold it forever; the bound is loose because the whole
        // suite runs in parallel on two cores (a correctness check, not a speed one).
        #expect(elapsed < 60_000)
    }

    @Test func ipv6LoopbackAndHostNamesConnect() async throws {
        // The router has an address of 127.0.0.0/8 of its own; a proxy in front of it listens on
        // 127.0.0.1 only: `localhost` resolves to that and connects, ::1 is refused.
        try await withVirtualRouter { router in
            let proxy = try DelayingProxy(targetHost: router.host, targetPort: router.port, delay: .zero)
            defer { proxy.stop() }
            let v6 = await #expect(throws: SSHError.self) {
                _ = try await SSHConnection.connect(
                    to: SSHTarget(host: "::1", port: proxy.port),
                    hostKeyPolicy: .fingerprint(router.hostKeyFingerprint),
                    credentials: SSHTestSupport.keyOnly(router))
            }
            #expect(v6?.kind == .unreachable)
            #expect(v6?.description.hasPrefix("root@[::1]:\(proxy.port) ") == true)

            let named = try await SSHConnection.connect(
                to: SSHTarget(host: "localhost", port: proxy.port),
                hostKeyPolicy: .fingerprint(router.hostKeyFingerprint),
                credentials: SSHTestSupport.keyOnly(router))
            #expect(try await named.exec("echo named").stdoutText == "named\n")
            await named.close()
        }
    }
}
