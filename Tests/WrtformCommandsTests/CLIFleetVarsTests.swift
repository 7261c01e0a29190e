import Foundation
import Testing
import VirtualRouter

/// An inventory's vars for the host `--limit` names reach the plan, under `--var`.
@Suite struct CLIFleetVarsTests {
    @Test func hostVarsReachThePlan() async throws {
        try await withVirtualRouter { router in
            let directory = try CLI.temporaryDirectory()
            let inventory = directory.appendingPathComponent("routers.yml")
            try """
            vars: { server_ip: 192.168.1.66 }
            groups:
              home: { hosts: [main], vars: { server_ip: 192.168.1.70 } }
            hosts:
              main:
                host: \(router.host)
                port: \(router.port)
                identity: \(router.clientKeyFile)
                known_hosts: \(router.knownHostsFile)
                vars: { server_ip: 192.168.1.77 }
              other: { host: 127.0.0.9, vars: { server_ip: 192.168.1.88 } }
            """.write(to: inventory, atomically: true, encoding: .utf8)
            let plan = await CLI.run(["plan", CLI.ocn, "--full", "--inventory", inventory.path, "--limit", "main"])
            #expect(plan.code == 2, "\(plan.stderr)")
            #expect(plan.stdout.contains("192.168.1.77"))
            #expect(!plan.stdout.contains("192.168.1.5'") && !plan.stdout.contains("192.168.1.70"))
            let forced = await CLI.run([
                "plan", CLI.ocn, "--full", "--inventory", inventory.path, "--limit", "main", "--var",
                "server_ip=192.168.1.99",
            ])
            #expect(
                forced.stdout.contains("192.168.1.99") && !forced.stdout.contains("192.168.1.77"), "\(forced.stderr)")
        }
    }
}
