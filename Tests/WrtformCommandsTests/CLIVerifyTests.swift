import Foundation
import Testing
import VirtualRouter

/// Health probes and the warning about cutting our own session, through the CLI.
@Suite struct CLIVerifyTests {
    func read(_ router: VirtualRouter, _ path: String) -> String {
        (try? String(contentsOf: router.root.appendingPathComponent(String(path.dropFirst())), encoding: .utf8))
            ?? "<absent>"
    }

    func playbook(_ text: String) throws -> String { try CLI.playbook(text, named: "probe.yml") }

    @Test func failingHealthProbeRestoresTheRouter() async throws {
        let path = try playbook(
            """
            name: forward-with-probe
            steps:
              - id: web
                redirect: { src: wan, src_dport: 8080, dest_ip: 192.168.1.20, dest_port: 80 }
            probes:
              - name: the web server answers
                command: "false"
            """)
        try await withVirtualRouter { router in
            let before = read(router, "/etc/config/firewall")
            let result = await CLI.run(["apply", path, "--yes", "--verify-timeout", "2"] + CLI.target(router))
            #expect(result.code == 1)
            #expect(result.stdout.contains("FAIL the web server answers"))
            #expect(
                result.stderr.contains(
                    "verify failed: the web server answers; the router's files were restored and it is back where it was"
                ))
            #expect(read(router, "/etc/config/firewall") == before)
            let skipped = await CLI.run(["apply", path, "--yes", "--skip-verify"] + CLI.target(router))
            #expect(skipped.code == 0)
            #expect(read(router, "/etc/config/firewall").contains("option dest_ip '192.168.1.20'"))
        }
    }

    @Test func warnsBeforeChangingTheInterfaceWeArriveThrough() async throws {
        // The virtual router is reached on an address of 127.0.0.0/8: the subnet of its `loopback` interface.
        let path = try playbook(
            """
            steps:
              - id: lo
                interface-options: { name: loopback, metric: 5 }
            """)
        try await withVirtualRouter { router in
            let result = await CLI.run(["plan", path] + CLI.target(router))
            #expect(result.code == 2)
            #expect(
                result.stderr.contains(
                    "warning: step 'lo' changes interface 'loopback', which this SSH session arrives through (\(router.host))"
                ))
        }
    }
}

/// On a terminal, apply asks and only a typed "yes" writes.
@Suite struct CLIConfirmationTests {
    @Test func onlyYesApplies() async throws {
        try await withVirtualRouter { router in
            let declined = await CLI.run(["apply", CLI.ocn] + CLI.target(router), input: ["no"], interactive: true)
            #expect(declined.code == 1)
            #expect(declined.stdout.contains("Apply these changes to root@\(router.host):\(router.port)? Type 'yes': "))
            #expect(declined.stdout.contains("Nothing was changed."))
            let callsBefore = try router.serviceCalls()
            #expect(callsBefore.isEmpty)
            let accepted = await CLI.run(["apply", CLI.ocn] + CLI.target(router), input: ["yes"], interactive: true)
            #expect(accepted.code == 0, "\(accepted.stderr)")
            // On a terminal, a mark per step written.
            #expect(accepted.stdout.contains("  ✓ wanppp (interface): 2 changes\n"), "\(accepted.stdout)")
            let calls = try router.serviceCalls().map(\.service)
            // cron twice: enable, then reload (the DDNS check's crontab line).
            #expect(calls == ["network", "firewall", "cron", "cron"])
        }
    }
}

/// `--inventory FILE --limit NAME` names the router instead of the connection options.
@Suite struct CLIInventoryTests {
    @Test func inventoryEntryReachesTheRouter() async throws {
        try await withVirtualRouter { router in
            let directory = try CLI.temporaryDirectory()
            let inventory = directory.appendingPathComponent("routers.yml")
            try """
            hosts:
              home:
                host: \(router.host)
                port: \(router.port)
                user: root
                identity: \(router.clientKeyFile)
                known_hosts: \(router.knownHostsFile)
            """.write(to: inventory, atomically: true, encoding: .utf8)
            let facts = await CLI.run(["facts", "--inventory", inventory.path, "--limit", "home"])
            #expect(facts.code == 0, "\(facts.stderr)")
            #expect(facts.stdout.contains("target:    root@\(router.host):\(router.port)"))
            let typo = await CLI.run(["facts", "--inventory", inventory.path, "--limit", "hom"])
            #expect(typo.code == 1)
            #expect(
                typo.stderr
                    == "error: --limit 'hom' selects no host of the inventory \(inventory.path) (did you mean 'home'?)\n"
            )
        }
    }
}

/// `wrtform doctor` through the CLI: one line per check, exit 1 when any check fails.
@Suite struct CLIDoctorTests {
    @Test func doctorOnAnUnconfiguredRouter() async throws {
        try await withVirtualRouter { router in
            let result = await CLI.run(["doctor", CLI.ocn] + CLI.target(router))
            #expect(result.code == 1)
            let lines = result.stdout.split(separator: "\n")
            #expect(lines.contains { $0.hasPrefix("FAIL") && $0.contains("wanppp") })
            #expect(lines.allSatisfy { $0.hasPrefix("OK") || $0.hasPrefix("FAIL") || $0.hasPrefix("SKIP") })
            let json = await CLI.run(["doctor", CLI.ocn, "--json"] + CLI.target(router))
            let document = try #require(
                try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            let checks = document["checks"] as? [[String: Any]]
            #expect(checks?.isEmpty == false)
            // Each check also as parts: id, status, detail, hint.
            #expect(checks?.allSatisfy { ($0["id"] as? String)?.isEmpty == false && $0["detail"] is String } == true)
            #expect(
                checks?.contains { $0["status"] as? String == "FAIL" && $0["hint"] is String } == true, "\(json.stdout)"
            )
            #expect(!CLI.containsSecret(result.all + json.all))
        }
    }
}
