import Foundation
import Testing
import VirtualRouter
import WrtformSSH

/// Each connection has its own thread, so connections in parallel do not wait for each
/// other. Times are printed, not asserted (the machine is shared); correctness is asserted.
@Suite struct ParallelTests {
    /// Eight routers, each behind a proxy adding 25 ms each way, like routers across a slow
    /// link: the work is mostly waiting, which parallel connections overlap. (Eight routers,
    /// not eight connections to one: dropbear turns away a sixth simultaneous unauthenticated
    /// connection from one address — see `fiveConnectionsToOneRouterInParallel`.)
    @Test func eightRoutersInParallel() async throws {
        let routers = try await withThrowingTaskGroup(of: VirtualRouter.self) { group in
            for _ in 0..<8 { group.addTask { try await VirtualRouter.start() } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        defer { for router in routers { router.stop() } }
        let proxies = try routers.map {
            try DelayingProxy(targetHost: $0.host, targetPort: $0.port, delay: .milliseconds(25))
        }
        defer { for proxy in proxies { proxy.stop() } }
        let sessions = zip(routers, proxies).map { router, proxy in
            Visit(
                target: SSHTestSupport.target(proxy),
                policy: .fingerprint(router.hostKeyFingerprint), credentials: SSHTestSupport.keyOnly(router))
        }

        var start = ContinuousClock.now
        #expect(try await sessions[0].run("echo single") == "single\n")
        let single = SSHTestSupport.milliseconds(since: start)

        start = ContinuousClock.now
        let outputs = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for (index, session) in sessions.enumerated() {
                group.addTask { (index, try await session.run("echo \(index)")) }
            }
            return try await group.reduce(into: [Int: String]()) { $0[$1.0] = $1.1 }
        }
        let parallel = SSHTestSupport.milliseconds(since: start)

        start = ContinuousClock.now
        for (index, session) in sessions.enumerated() {
            #expect(try await session.run("echo \(index)") == "\(index)\n")
        }
        let sequential = SSHTestSupport.milliseconds(since: start)

        print(
            "connect + exec + close, 25 ms each way: 1 router → \(single) ms; 8 routers in parallel → \(parallel) ms; 8 one after another → \(sequential) ms"
        )
        #expect(outputs.count == 8)
        for index in 0..<8 { #expect(outputs[index] == "\(index)\n") }
        for (index, proxy) in proxies.enumerated() { #expect(proxy.connectionCount == (index == 0 ? 3 : 2)) }
    }

    @Test func fiveConnectionsToOneRouterInParallel() async throws {
        try await withVirtualRouter { router in
            let visit = Visit(
                target: SSHTestSupport.target(router), policy: .knownHosts(file: router.knownHostsFile),
                credentials: SSHTestSupport.keyOnly(router))
            let start = ContinuousClock.now
            let outputs = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<5 { group.addTask { try await visit.run("echo \(index)") } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            print("5 connections to one router in parallel: \(SSHTestSupport.milliseconds(since: start)) ms")
            #expect(outputs.sorted() == (0..<5).map { "\($0)\n" })
        }
    }
}

/// Connect, run one command, close.
private struct Visit: Sendable {
    let target: SSHTarget
    let policy: HostKeyPolicy
    let credentials: SSHCredentials

    func run(_ command: String) async throws -> String {
        let connection = try await SSHConnection.connect(to: target, hostKeyPolicy: policy, credentials: credentials)
        let result = try await connection.exec(command)
        await connection.close()
        return result.stdoutText
    }
}
