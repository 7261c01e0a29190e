import Foundation
import VirtualRouter
import WrtformCommands

/// `wrtform fleet plan` of the OCN playbook over 1, 4 and 8 virtual routers, each behind its own proxy
/// adding 25 ms each way (a 50 ms round trip), the routers started in parallel. Prints the median wall
/// times and 8 routers' as a ratio to one router's (the aim: at most 1.5×); asserts nothing.
enum FleetBenchmark {
    static func run(iterations: Int = 5) async throws {
        let routers = try await withThrowingTaskGroup(of: VirtualRouter.self) { group in
            for _ in 0..<8 { group.addTask { try await VirtualRouter.start() } }
            var started: [VirtualRouter] = []
            for try await router in group { started.append(router) }
            return started
        }
        defer { for router in routers { router.stop() } }
        let proxies = try routers.map {
            try DelayingProxy(targetHost: $0.host, targetPort: $0.port, delay: .milliseconds(25))
        }
        defer { for proxy in proxies { proxy.stop() } }

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "wrtform-bench-fleet-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // The routers' host keys, recorded for the proxies' addresses (where wrtform connects).
        var knownHosts = ""
        var inventory = "hosts:\n"
        for (index, (router, proxy)) in zip(routers, proxies).enumerated() {
            let line = try String(contentsOfFile: router.knownHostsFile, encoding: .utf8)
            let key = line.split(separator: " ", maxSplits: 1).last.map(String.init) ?? ""
            knownHosts += "[\(proxy.host)]:\(proxy.port) \(key)"
            inventory +=
                "  r\(index): { host: \(proxy.host), port: \(proxy.port), identity: \(router.clientKeyFile), "
                + "known_hosts: \(directory.path)/known_hosts }\n"
        }
        try knownHosts.write(to: directory.appendingPathComponent("known_hosts"), atomically: true, encoding: .utf8)
        let inventoryPath = directory.appendingPathComponent("fleet.yml").path
        try inventory.write(toFile: inventoryPath, atomically: true, encoding: .utf8)

        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let playbook = repository.appendingPathComponent("Playbooks/ocn-dualstack-pppoe.yml").path
        let console = Console(
            out: { _ in }, err: { _ in }, readLine: { nil }, isInteractive: false, useColor: false,
            environment: [
                "WRTFORM_PPPOE_USERNAME": "bench@ocn", "WRTFORM_PPPOE_PASSWORD": "bench-pppoe",
                "WRTFORM_DDNS_PASSWORD": "bench-ddns", "HOME": directory.path, "USER": "bench",
            ])
        print(
            "wrtform-bench fleet: wrtform fleet plan (OCN playbook), virtual routers each behind a proxy adding 25 ms "
                + "each way (\(iterations) runs, median)")
        let clock = ContinuousClock()
        var medians: [Int: Duration] = [:]
        for (count, limit) in [(1, "r0"), (4, "r[0-3]"), (8, "r*")] {
            var samples: [Duration] = []
            for _ in 0..<(iterations + 1) {
                let start = clock.now
                let code = await Console.$current.withValue(console) {
                    await Wrtform.run(arguments: [
                        "fleet", "--inventory", inventoryPath, "--limit", limit, "plan", playbook,
                    ])
                }
                guard code == 2 else {
                    print("  \(count) router(s): exit \(code), expected 2 (changes pending); stopping")
                    return
                }
                samples.append(clock.now - start)
            }
            // The first run warms up (DNS of nothing, first connections, caches): not counted.
            let median = EngineBenchmark.median(Array(samples.dropFirst()))
            medians[count] = median
            let label = "\(count) router\(count == 1 ? "" : "s")".padding(toLength: 10, withPad: " ", startingAt: 0)
            print("  \(label) \(String(format: "%7.1f", EngineBenchmark.ms(median))) ms")
        }
        if let one = medians[1], let eight = medians[8] {
            print(
                "  8 routers / 1 router: \(String(format: "%.2f", EngineBenchmark.ms(eight) / EngineBenchmark.ms(one)))×"
            )
        }
    }
}
