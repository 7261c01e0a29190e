import Foundation
import Testing
import VirtualRouter
import WrtformEngine

/// Which host a saved plan's entry is for.
@Suite struct CLISavedPlanTargetTests {
    static var portForward: String { CLI.repository.appendingPathComponent("Playbooks/port-forward.yml").path }

    /// A directory standing in for a router, with the zones the port-forward playbook names.
    static func root() throws -> URL {
        let root = try CLI.temporaryDirectory()
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("etc/config"), withIntermediateDirectories: true)
        try "\nconfig zone\n\toption name 'wan'\n\nconfig zone\n\toption name 'lan'\n".write(
            to: root.appendingPathComponent("etc/config/firewall"), atomically: true, encoding: .utf8)
        return root
    }

    /// Under an inventory the entry is named by the inventory's host name however the host was
    /// selected (a group or glob that selects only it, or an inventory of one host): `fleet … apply
    /// --plan` and `apply --plan … --limit HOST` look it up by that name.
    @Test func anInventoryHostsEntryIsNamedByTheHostsName() async throws {
        let state = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: state) }
        try await withVirtualRouter { router in
            let inventory = try CLIFleetTests.inventory([router])
            let environment = CLI.environment(state: state)
            for (name, selection) in [
                ("group", ["--limit", "all_routers"]), ("glob", ["--limit", "r*"]), ("none", []),
            ] {
                let out = state.appendingPathComponent("\(name).plan").path
                let plan = await CLI.run(
                    ["plan", Self.portForward, "--inventory", inventory, "--out", out] + selection,
                    environment: environment)
                #expect(plan.code == 2, "\(plan.all)")
                let document =
                    try JSONSerialization.jsonObject(with: try Data(contentsOf: URL(fileURLWithPath: out)))
                    as? [String: Any]
                let hosts = (document?["hosts"] as? [[String: Any]])?.compactMap { $0["host"] as? String }
                #expect(hosts == ["r0"], "\(name): \(hosts ?? [])")
            }
            // Applied as one host of the inventory, by its name.
            let single = await CLI.run(
                [
                    "apply", "--plan", state.appendingPathComponent("none.plan").path, "--yes", "--inventory",
                    inventory, "--limit", "r0", "--no-watchdog",
                ], environment: environment)
            #expect(single.code == 0, "\(single.all)")
            #expect(single.stdout.contains("Applied run "), "\(single.all)")
            // Made again on the changed router through a group, applied by the fleet.
            let out = state.appendingPathComponent("again.plan").path
            let plan = await CLI.run(
                [
                    "plan", Self.portForward, "--inventory", inventory, "--limit", "all_routers", "--out", out,
                    "--var", "server_port=81",
                ], environment: environment)
            #expect(plan.code == 2, "\(plan.all)")
            let fleet = await CLI.run(
                ["fleet", "--inventory", inventory, "apply", "--plan", out, "--yes", "--no-watchdog"],
                environment: environment)
            #expect(fleet.code == 0, "\(fleet.all)")
            #expect(fleet.stdout.contains("r0    applied run "), "\(fleet.all)")
        }
    }
}
