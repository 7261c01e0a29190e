import Foundation
import VirtualRouter
import WrtformEngine
import WrtformPlaybook
import WrtformSSH

/// Wall time and exec round trips of facts, plan and apply of the OCN playbook against a virtual
/// router behind a proxy that adds 25 ms each way, beside the floor (connect + one exec).
enum EngineBenchmark {
    static func run(iterations: Int = 5) async throws {
        let router = try await VirtualRouter.start()
        defer { router.stop() }
        let proxy = try DelayingProxy(targetHost: router.host, targetPort: router.port, delay: .milliseconds(25))
        defer { proxy.stop() }
        let sshTarget = SSHTarget(host: proxy.host, port: proxy.port, user: "root")
        let policy = HostKeyPolicy.fingerprint(router.hostKeyFingerprint)
        let credentials = SSHCredentials(agent: false, identityFiles: [router.clientKeyFile])
        func target() -> SSHRouterTarget {
            SSHRouterTarget(sshTarget, hostKeyPolicy: policy, credentials: credentials)
        }
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let environment = [
            "WRTFORM_PPPOE_USERNAME": "bench@ocn", "WRTFORM_PPPOE_PASSWORD": "bench-pppoe",
            "WRTFORM_DDNS_PASSWORD": "bench-ddns",
        ]
        let playbook = try PlaybookLoader().load(
            path: repository.appendingPathComponent("Playbooks/ocn-dualstack-pppoe.yml").path,
            secrets: .resolve(environment: environment, prompter: nil))
        let graph = try StepGraph(
            playbook.steps.filter { !$0.skipped }.map { entry in
                StepGraph.Node(step: try StepCatalog.make(entry.input), needs: entry.needs.map { ($0, nil) })
            })
        let clock = ContinuousClock()
        print(
            "wrtform-bench engine: OCN playbook, virtual router behind a proxy adding 25 ms each way (\(iterations) runs, median)"
        )

        var floor: [Duration] = []
        var floorWaits = 0
        for _ in 0..<iterations {
            let start = clock.now
            let connection = try await SSHConnection.connect(
                to: sshTarget, hostKeyPolicy: policy, credentials: credentials)
            _ = try await connection.exec("true")
            floor.append(clock.now - start)
            floorWaits = await connection.roundTrips
            await connection.close()
        }
        report("floor: connect + 1 exec", floor, execs: 1, waits: floorWaits)

        var facts: [Duration] = []
        for _ in 0..<iterations {
            let router = target()
            let start = clock.now
            _ = try await router.snapshot(paths: [], run: nil)
            facts.append(clock.now - start)
            await router.close()
        }
        report("facts: connect + snapshot", facts, execs: 1)

        var plans: [Duration] = []
        var applies: [Duration] = []
        var confirmed: [Duration] = []
        var applyExecs = 0
        for _ in 0..<iterations {
            let router = target()
            let start = clock.now
            let snapshot = try await router.snapshot(paths: Planner.paths(for: graph), run: nil)
            let plan = try Planner().plan(graph, on: snapshot)
            let planned = clock.now
            plans.append(planned - start)
            let applier = Applier(
                options: ApplyOptions(owner: "bench", playbook: "ocn", confirmTimeout: 90, verifyTimeout: 1))
            _ = try await applier.apply(plan, to: router)
            applies.append(clock.now - start)
            confirmed.append(clock.now - planned)
            applyExecs = await router.roundTrips()
            // Undo, so the next iteration applies again.
            let undo = try Rollback().plan(try await router.snapshot(paths: [], run: "last"))
            _ = try await Rollback().apply(undo, with: applier, to: router)
            await router.close()
        }
        report("plan: connect + snapshot + local checks", plans, execs: 1)
        report("plan + apply (write+reload, verify+confirm on a new connection)", applies, execs: applyExecs)
        report("apply alone, confirmed (after the plan)", confirmed, execs: applyExecs - 1)
        print(
            "  confirmed apply (plan + apply) / floor: \(String(format: "%.2f", ms(median(applies)) / ms(median(floor))))×;"
                + " apply alone / floor: \(String(format: "%.2f", ms(median(confirmed)) / ms(median(floor))))×")
    }

    static func median(_ samples: [Duration]) -> Duration { samples.sorted()[samples.count / 2] }

    static func ms(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    static func report(_ what: String, _ samples: [Duration], execs: Int, waits: Int? = nil) {
        let ms = ms(median(samples))
        let extra = waits.map { ", \($0) network waits" } ?? ""
        let label = what.padding(toLength: 66, withPad: " ", startingAt: 0)
        print(
            "  \(label) \(String(format: "%7.1f", ms)) ms  (\(execs) exec round trip\(execs == 1 ? "" : "s")\(extra))")
    }
}
