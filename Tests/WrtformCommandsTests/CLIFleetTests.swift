import Foundation
import Testing
import VirtualRouter

/// `wrtform fleet`: one playbook across several virtual routers at once.
@Suite struct CLIFleetTests {
    static func inventory(_ routers: [VirtualRouter], extra: String = "") throws -> String {
        var text = "groups:\n  all_routers: { hosts: [\(routers.indices.map { "r\($0)" }.joined(separator: ", "))] }\nhosts:\n"
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
            #expect(plan.stdout.contains("r\(index)    changes pending"), "\(plan.stdout)")
        }

        let apply = await CLI.run(["fleet", "--inventory", inventory, "--parallel", "2", "apply", CLI.ocn, "--yes"])
        #expect(apply.code == 1, "\(apply.all)")
        #expect(apply.stdout.contains("\ndown  failed: "), "\(apply.stdout)")
        for (index, router) in routers.enumerated() {
            let firewall = try String(contentsOf: router.root.appendingPathComponent("etc/config/firewall"), encoding: .utf8)
            #expect(firewall.contains("192.168.1.\(100 + index)"), "r\(index)")
            for other in routers.indices where other != index {
                #expect(!firewall.contains("192.168.1.\(100 + other)"), "r\(index) has r\(other)'s server_ip")
            }
            #expect(apply.stdout.contains("r\(index)    ok"), "\(apply.stdout)")
        }
        let again = await CLI.run(["fleet", "--inventory", inventory, "--limit", "all_routers", "plan", CLI.ocn])
        #expect(again.code == 0, "\(again.all)")

        let none = await CLI.run(["fleet", "--inventory", inventory, "--limit", "nothing*", "plan", CLI.ocn])
        #expect(none.code == 1)
        #expect(none.stderr.contains("selects no host"), "\(none.stderr)")
    }
}
