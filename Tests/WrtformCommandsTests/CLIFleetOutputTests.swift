import Foundation
import Testing
import VirtualRouter
import WrtformEngine

/// The fleet's summary (plan counts, applied run IDs, failures with their reason) and its one JSON document.
@Suite struct CLIFleetOutputTests {
    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func summaryAndJSONNameEachHostsOutcome() async throws {
        async let first = VirtualRouter.start(.init())
        async let second = VirtualRouter.start(.init())
        let routers = try await [first, second]
        defer { for router in routers { router.stop() } }
        let inventory = try CLIFleetTests.inventory(routers, extra: "  down: { host: 127.0.0.1, port: 1 }\n")

        let planJSON = await CLI.run(["fleet", "--inventory", inventory, "plan", CLI.ocn, "--json"])
        #expect(planJSON.code == 1, "\(planJSON.all)")
        let document = try Self.json(planJSON.stdout)
        #expect(document["wrtform_version"] as? String == WrtformVersion.current)
        #expect(document["command"] as? String == "fleet" && document["subcommand"] as? String == "plan")
        let hosts = try #require(document["hosts"] as? [[String: Any]])
        #expect(hosts.compactMap { $0["host"] as? String } == ["r0", "r1", "down"])
        var counts: [String: String] = [:]
        for host in hosts.prefix(2) {
            // Each entry is the host's own plan document, with its name, result and time added.
            let summary = try #require(host["summary"] as? [String: Any])
            let text =
                "\(summary["add"] ?? "?") to add, \(summary["change"] ?? "?") to change, "
                + "\(summary["remove"] ?? "?") to remove"
            #expect(host["command"] as? String == "plan" && host["changes_pending"] as? Bool == true)
            #expect(host["result"] as? String == text)
            #expect(host["exit_code"] as? Int == 2 && host["seconds"] is Double)
            counts[host["host"] as? String ?? ""] = text
        }
        let down = try #require(hosts.last)
        #expect((down["result"] as? String)?.hasPrefix("failed: ") == true, "\(down)")
        #expect(((down["error"] as? [String: Any])?["message"] as? String)?.isEmpty == false, "\(down)")
        #expect(!CLI.containsSecret(planJSON.all))

        let plan = await CLI.run(["fleet", "--inventory", inventory, "--limit", "r*", "plan", CLI.ocn])
        #expect(plan.code == 2, "\(plan.all)")
        for (host, text) in counts {
            #expect(CLIFleetTests.row(host, in: plan.stdout)?.hasPrefix(text + "  ") == true, "\(plan.stdout)")
        }
        #expect(plan.stdout.contains(/\nhost  result +time\n/), "\(plan.stdout)")

        let apply = await CLI.run([
            "fleet", "--inventory", inventory, "--limit", "all_routers", "apply", CLI.ocn, "--yes",
        ])
        #expect(apply.code == 0, "\(apply.all)")
        for host in ["r0", "r1"] {
            // The run named in the summary is the one the host's own output says it applied.
            let section = try #require(apply.stdout.components(separatedBy: "── \(host) ──\n").last)
            let runID = try #require(section.firstMatch(of: /Applied run ([0-9A-Za-z-]+):/)?.1)
            #expect(
                CLIFleetTests.row(host, in: apply.stdout)?.hasPrefix("applied run \(runID)  ") == true,
                "\(apply.stdout)")
        }
        let again = await CLI.run(["fleet", "--inventory", inventory, "--limit", "r*", "plan", CLI.ocn, "--json"])
        #expect(again.code == 0, "\(again.all)")
        let clean = try #require(try Self.json(again.stdout)["hosts"] as? [[String: Any]])
        #expect(clean.map { $0["result"] as? String } == ["no changes", "no changes"])
        #expect(try Self.json(again.stdout)["exit_code"] as? Int == 0)

        let empty = await CLI.run(["fleet", "--inventory", inventory, "--limit", "zzz", "plan", CLI.ocn, "--json"])
        #expect(empty.code == 1)
        let failure = try Self.json(empty.stdout)["error"] as? [String: Any]
        #expect((failure?["message"] as? String)?.contains("selects no host") == true, "\(empty.all)")
    }

    /// Must show: one router holding a lock (a run of someone else's, just started) → apply exits 1,
    /// the other routers are applied, and the summary names the locked one and why.
    @Test func oneLockedRouterFailsAloneAndIsNamed() async throws {
        async let first = VirtualRouter.start(.init())
        async let second = VirtualRouter.start(.init())
        async let third = VirtualRouter.start(.init())
        let routers = try await [first, second, third]
        defer { for router in routers { router.stop() } }
        let inventory = try CLIFleetTests.inventory(routers)
        // As a concurrent apply takes it: the lock directory, then its owner, pid, start time and run.
        let held = try routers[1].runInSandbox(
            """
            mkdir -p /var/lock/wrtform
            printf '%s\\n' alice@laptop 4242 "$(date +%s)" 20261201T120000Z-a11c > /var/lock/wrtform/owner
            """)
        #expect(held.exitCode == 0, "\(held.output)")
        let before = try String(
            contentsOf: routers[1].root.appendingPathComponent("etc/config/firewall"), encoding: .utf8)

        let apply = await CLI.run(["fleet", "--inventory", inventory, "apply", CLI.ocn, "--yes"])
        #expect(apply.code == 1, "\(apply.all)")
        for index in [0, 2] {
            let firewall = try String(
                contentsOf: routers[index].root.appendingPathComponent("etc/config/firewall"), encoding: .utf8)
            #expect(firewall.contains("192.168.1.\(100 + index)"), "r\(index) was not applied")
            #expect(CLIFleetTests.row("r\(index)", in: apply.stdout)?.hasPrefix("applied run ") == true)
        }
        let locked = try #require(CLIFleetTests.row("r1", in: apply.stdout), "\(apply.stdout)")
        #expect(locked.hasPrefix("failed: "), "\(locked)")
        #expect(locked.contains("is locked by alice@laptop (run 20261201T120000Z-a11c"), "\(locked)")
        #expect(locked.contains("nothing was changed"), "\(locked)")
        let after = try String(
            contentsOf: routers[1].root.appendingPathComponent("etc/config/firewall"), encoding: .utf8)
        #expect(after == before)
        #expect(try routers[1].serviceCalls().isEmpty)
    }
}
