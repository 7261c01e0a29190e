import Foundation
import Testing
import VirtualRouter
import WrtformEngine

/// Ownership through real SSH against the virtual router.
@Suite struct OwnershipSSHTests {
    static let options = ApplyOptions(owner: "tester@ci", playbook: "ocn", confirmTimeout: 60, verifyTimeout: 2)

    static var fixtures: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent("Fixtures/uci")
    }

    func plan(_ graph: StepGraph, _ target: SSHRouterTarget, _ scope: OwnershipScope? = OwnershipScope(playbook: "ocn"))
        async throws -> Plan
    {
        let planner = Planner(ownership: scope)
        return try planner.plan(graph, on: try await planner.snapshot(of: graph, from: target))
    }

    /// A forward made in LuCI (anonymous, LuCI's formatting): `absent: true` takes out that section
    /// and nothing else — every other byte of the file stays.
    @Test func absentRemovesALuCIMadeForwardAndKeepsEveryOtherByte() async throws {
        try await withVirtualRouter { router in
            let luci = try String(contentsOf: Self.fixtures.appendingPathComponent("luci-firewall"), encoding: .utf8)
            try router.write("/etc/config/firewall", luci)
            let section = """
                config redirect
                \toption dest 'lan'
                \toption target 'DNAT'
                \toption name 'NAS-HTTPS'
                \tlist proto 'tcp'
                \toption src 'wan'
                \toption src_dport '8443'
                \toption dest_ip '192.168.1.20'
                \toption dest_port '443'


                """
            #expect(luci.contains(section))
            let target = router.sshTarget()
            let graph = try StepGraph([
                .init(step: try StepBuilder.step("nas", "redirect", ["src_dport": "8443", "absent": "true"]))
            ])
            let plan = try await plan(graph, target, nil)
            #expect(plan.steps.map(\.action) == [.delete])
            #expect(plan.files.map(\.path) == ["/etc/config/firewall"])
            let result = try await Applier(options: Self.options).apply(plan, to: target)
            #expect(result.status == .done)
            #expect(router.read("/etc/config/firewall") == luci.replacingOccurrences(of: section, with: ""))
            #expect(try await self.plan(graph, router.sshTarget(), nil).hasChanges == false)
            await target.close()
        }
    }

    /// Removing an interface a zone still covers: a plan error naming the zone; nothing written.
    @Test func removingAnInterfaceAZoneStillCoversIsAPlanError() async throws {
        try await withVirtualRouter { router in
            let target = router.sshTarget()
            _ = try await Applier(options: Self.options).apply(
                try await plan(try StepBuilder.ocn(), target), to: target)
            let applied = router.etc()
            // The playbook still has its zone (unchanged, covering wanppp) but now says wanppp is absent.
            let gone = try StepBuilder.step("wanppp", "interface", ["name": "wanppp", "absent": "true"], line: 12)
            let graph = try StepGraph(
                try StepBuilder.ocn().ordered.map { StepGraph.Node(step: $0.id == "wanppp" ? gone : $0) })
            let second = router.sshTarget()
            let error = try await #require(throws: EngineError.self) { try await self.plan(graph, second) }
            #expect(
                error.message.hasPrefix(
                    "step 'wanppp' removes interface 'wanppp', but zone 'wan_pppoe' in /etc/config/firewall (network) still refers to it"
                ))
            #expect(error.location?.line == 12)
            #expect(await second.roundTrips() == 1)
            #expect(router.etc() == applied)
            await target.close()
            await second.close()
        }
    }

    /// The record is read with the snapshot: a plan with nothing to prune is one exec; so is one
    /// pruning sections of files the playbook still reads. Only a file no step names any more costs a second read.
    @Test func planWithOwnershipIsStillOneExec() async throws {
        try await withVirtualRouter { router in
            let target = router.sshTarget()
            _ = try await Applier(options: Self.options).apply(
                try await plan(try StepBuilder.ocn(), target), to: target)
            await target.close()
            let all = try StepBuilder.ocn().ordered
            func without(_ ids: Set<String>) throws -> StepGraph {
                try StepGraph(all.filter { !ids.contains($0.id) }.map { StepGraph.Node(step: $0) })
            }
            for (graph, execs, pending) in [
                (try without([]), 1, false), (try without(["https"]), 1, true), (try without(["hook"]), 2, true),
            ] {
                let fresh = router.sshTarget()
                let plan = try await plan(graph, fresh)
                #expect(await fresh.roundTrips() == execs)
                #expect(plan.hasChanges == pending)
                print(
                    "ownership plan: \(await fresh.roundTrips()) exec(s), \(plan.steps.filter { $0.action == .delete }.count) removal(s)"
                )
                await fresh.close()
            }
        }
    }

    /// The record is written by the same round trip as the config, so a failed verify's restore puts
    /// it back too: nothing is claimed that the router does not have.
    @Test func aRestoredApplyRestoresTheRecordToo() async throws {
        try await withVirtualRouter { router in
            let before = router.etc()
            let target = router.sshTarget()
            var options = Self.options
            options.probes = [PostCheck("always fails", command: "false", needsNetifd: false)]
            options.verifyTimeout = 1
            let plan = try await plan(try StepBuilder.ocn(), target)
            #expect(plan.files.contains { $0.path == OwnershipRecord.path })
            await #expect(throws: EngineError.self) { try await Applier(options: options).apply(plan, to: target) }
            #expect(!router.exists(OwnershipRecord.path))
            #expect(router.etc() == before)
            await target.close()
        }
    }
}
