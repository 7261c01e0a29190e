import Foundation
import Testing
import VirtualRouter

/// `wrtform fleet`: one playbook across several virtual routers at once.
@Suite struct CLIFleetTests {
    static func inventory(_ routers: [VirtualRouter], extra: String = "") throws -> String {
        var text =
            "groups:\n  all_routers: { hosts: [\(routers.indices.map { "r\($0)" }.joined(separator: ", "))] }\nhosts:\n"
        for (index, router) in routers.enumerated() {
            text += """
                  r\(index):
                    host: \(router.host)
                    port: \(router.port)
                    identity: \(router.clientKeyFile)
                    known_hosts: \(router.knownHostsFile)
                    vars: { server_ip: 192.168.1.\(100 + index) }

                """
        }
        text += extra
        let path = try CLI.temporaryDirectory().appendingPathComponent("fleet.yml")
        try text.write(to: path, atomically: true, encoding: .utf8)
        return path.path
    }

    /// The summary row of a host: what follows its name and the padding.
    static func row(_ host: String, in output: String) -> String? {
        guard let summary = output.range(of: "\nhost ", options: .backwards) else { return nil }
        return output[summary.upperBound...].split(separator: "\n").first { $0.hasPrefix(host + " ") }
            .map { String($0.dropFirst(host.count).drop { $0 == " " }) }
    }

    @Test func perHostVarsLandPerRouter() async throws {
        async let first = VirtualRouter.start(.init())
        async let second = VirtualRouter.start(.init())
        async let third = VirtualRouter.start(.init())
        let routers = try await [first, second, third]
        defer { for router in routers { router.stop() } }
        // A host that does not answer: the fleet fails (exit 1), the others still run.
        let inventory = try Self.inventory(routers, extra: "  down: { host: 127.0.0.1, port: 1 }\n")

        let plan = await CLI.run(["fleet", "--inventory", inventory, "--limit", "r*", "plan", CLI.ocn, "--full"])
        #expect(plan.code == 2, "\(plan.all)")
        for index in routers.indices {
            #expect(plan.stdout.contains("── r\(index) ──"))
            #expect(
                CLIFleetTests.row("r\(index)", in: plan.stdout)?.contains(
                    /^\d+ to add, \d+ to change, \d+ to remove +\d+\.\d s$/)
                    == true, "\(plan.stdout)")
        }

        let apply = await CLI.run(["fleet", "--inventory", inventory, "--parallel", "2", "apply", CLI.ocn, "--yes"])
        #expect(apply.code == 1, "\(apply.all)")
        #expect(apply.stdout.contains("\ndown  failed: "), "\(apply.stdout)")
        for (index, router) in routers.enumerated() {
            let firewall = try String(
                contentsOf: router.root.appendingPathComponent("etc/config/firewall"), encoding: .utf8)
            #expect(firewall.contains("192.168.1.\(100 + index)"), "r\(index)")
            for other in routers.indices where other != index {
                #expect(!firewall.contains("192.168.1.\(100 + other)"), "r\(index) has r\(other)'s server_ip")
            }
            #expect(apply.stdout.contains("\nr\(index)    applied run "), "\(apply.stdout)")
        }
        let again = await CLI.run(["fleet", "--inventory", inventory, "--limit", "all_routers", "plan", CLI.ocn])
        #expect(again.code == 0, "\(again.all)")
        // Shards: together every selected host exactly once.
        for count in [2, 3] {
            var seen: [String] = []
            for index in 1...count {
                let shard = await CLI.run([
                    "fleet", "--inventory", inventory, "--limit", "r*", "--shard", "\(index)/\(count)", "plan", CLI.ocn,
                ])
                let rows = shard.stdout.components(separatedBy: "\nhost ").last?.split(separator: "\n").dropFirst()
                seen += (rows ?? []).compactMap { $0.split(separator: " ").first.map(String.init) }
                #expect(shard.code == 0, "\(shard.all)")
            }
            #expect(seen.sorted() == ["r0", "r1", "r2"], "\(count) shards: \(seen)")
        }

        let none = await CLI.run(["fleet", "--inventory", inventory, "--limit", "nothing*", "plan", CLI.ocn])
        #expect(none.code == 1)
        #expect(none.stderr.contains("selects no host"), "\(none.stderr)")
    }
}

/// `--serial` batches and `--max-failures`.
@Suite struct CLIFleetSerialTests {
    @Test func firstHostFailingStopsTheRest() async throws {
        async let first = VirtualRouter.start(.init())
        async let second = VirtualRouter.start(.init())
        let routers = try await [first, second]
        defer { for router in routers { router.stop() } }
        let base = try CLIFleetTests.inventory(routers)
        // The unreachable host first, so it is the one-host canary batch.
        let text = try String(contentsOfFile: base, encoding: .utf8)
            .replacingOccurrences(of: "hosts:\n  r0:", with: "hosts:\n  down: { host: 127.0.0.1, port: 1 }\n  r0:")
        try text.write(toFile: base, atomically: true, encoding: .utf8)
        let before = try routers.map {
            try String(contentsOf: $0.root.appendingPathComponent("etc/config/firewall"), encoding: .utf8)
        }
        let apply = await CLI.run(["fleet", "--inventory", base, "--serial", "1,100%", "apply", CLI.ocn, "--yes"])
        #expect(apply.code == 1, "\(apply.all)")
        #expect(apply.stdout.contains("down  failed: "), "\(apply.stdout)")
        #expect(
            apply.stdout.contains(/\nr0    not attempted +-\n/) && apply.stdout.contains(/\nr1    not attempted +-\n/))
        for (index, router) in routers.enumerated() {
            let after = try String(
                contentsOf: router.root.appendingPathComponent("etc/config/firewall"), encoding: .utf8)
            #expect(after == before[index], "r\(index) was touched")
            #expect(try router.serviceCalls().isEmpty)
        }
        // Allowed one failure: the next batch runs.
        let tolerant = await CLI.run([
            "fleet", "--inventory", base, "--serial", "1", "--max-failures", "1", "plan", CLI.ocn,
        ])
        #expect(tolerant.code == 1)
        for host in ["r0", "r1"] {
            #expect(CLIFleetTests.row(host, in: tolerant.stdout)?.contains(" to add, ") == true, "\(tolerant.stdout)")
        }
        let bad = await CLI.run(["fleet", "--inventory", base, "--serial", "1,0%", "plan", CLI.ocn])
        #expect(bad.code == 1)
        // 0% and 150% are percentages, just not allowed ones: the line says which are.
        #expect(
            bad.stderr.contains("--serial 1,0%: '0%' is not a count (1 or more) or a percentage (1%-100%)"),
            "\(bad.stderr)")
        let over = await CLI.run(["fleet", "--inventory", base, "--serial", "150%", "plan", CLI.ocn])
        #expect(over.code == 1)
        #expect(over.stderr.contains("'150%' is not a count (1 or more) or a percentage (1%-100%)"), "\(over.stderr)")
    }
}
