import Foundation
import VirtualRouter
import WrtformSSH

/// Connect + one exec against a virtual router behind a proxy that adds 25 ms each way (a
/// 50 ms round trip, like a router across a slow link), and once directly for comparison.
/// Prints wall times and round trips; asserts nothing. `wrtform facts` reuses the numbers.
///
/// Round trips are counted two ways: the times the connection waited for the router's answer
/// (`SSHConnection.roundTrips`), and the wall time divided by the 50 ms round trip.
func runSSHBenchmark(iterations: Int = 5) async throws {
    let router = try await VirtualRouter.start()
    defer { router.stop() }
    let delay = Duration.milliseconds(25)
    let proxy = try DelayingProxy(targetHost: router.host, targetPort: router.port, delay: delay)
    defer { proxy.stop() }
    let credentials = SSHCredentials(agent: false, identityFiles: [router.clientKeyFile])
    let policy = HostKeyPolicy.fingerprint(router.hostKeyFingerprint)
    let command = "uci -q get system.@system[0].hostname; cat /etc/openwrt_release >/dev/null"

    func measure(_ target: SSHTarget) async throws -> (
        connect: Double, exec: Double, connectTrips: Int, execTrips: Int, execs: Int
    ) {
        let clock = ContinuousClock()
        let started = clock.now
        let connection = try await SSHConnection.connect(to: target, hostKeyPolicy: policy, credentials: credentials)
        let connected = clock.now
        let connectTrips = await connection.roundTrips
        let result = try await connection.exec(command)
        let finished = clock.now
        let execTrips = await connection.roundTrips - connectTrips
        let execs = await connection.execCount
        await connection.close()
        guard result.exitStatus == 0 || result.exitStatus == 1 else {
            throw SSHBenchmarkFailure(message: "the benchmark command failed: \(result.stderrText)")
        }
        return (
            started.duration(to: connected).milliseconds, connected.duration(to: finished).milliseconds,
            connectTrips, execTrips, execs
        )
    }

    let roundTrip = (delay * 2).milliseconds
    print("SSH: connect (TCP, handshake, host key, key login) + one exec, \(iterations) runs each")
    let direct = SSHTarget(host: router.host, port: router.port, user: "root")
    let proxied = SSHTarget(host: proxy.host, port: proxy.port, user: "root")
    for (label, target) in [("direct", direct), ("via proxy, 25 ms each way", proxied)] {
        var totals: [Double] = []
        for run in 1...iterations {
            let sample = try await measure(target)
            let total = sample.connect + sample.exec
            totals.append(total)
            print(
                String(
                    format:
                        "  %@ #%d: connect %.1f ms (%d round trips), exec %.1f ms (%d round trips), total %.1f ms ≈ %.1f × %.0f ms; execCount %d",
                    label, run, sample.connect, sample.connectTrips, sample.exec, sample.execTrips, total,
                    total / roundTrip, roundTrip, sample.execs))
        }
        let median = totals.sorted()[totals.count / 2]
        print(String(format: "  %@: median total %.1f ms", label, median))
    }
}

struct SSHBenchmarkFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

extension Duration {
    fileprivate var milliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}
