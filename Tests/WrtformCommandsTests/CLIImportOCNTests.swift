import Foundation
import Testing
import VirtualRouter
import WrtformUCI

/// Import of a router the OCN playbook configured: re-created from the import on a fresh router it
/// gives the same network and firewall; over SSH it plans clean and --adopt records ownership.
@Suite struct CLIImportOCNTests {
    /// The secrets the import of an OCN router asks for, set to what the OCN run wrote.
    static var importEnvironment: [String: String] {
        var environment = CLI.environment()
        environment["WRTFORM_WANPPP_USERNAME"] = CLI.pppoeUser
        environment["WRTFORM_WANPPP_PASSWORD"] = CLI.pppoePassword
        environment["WRTFORM_DDNS_SECRET"] = CLI.ddnsPassword
        return environment
    }

    /// A config's sections under uci semantics: type, name (if named) and options as value lists,
    /// in no particular order; formatting, option order and option-versus-one-item-list do not count.
    static func sections(_ root: URL, _ config: String) throws -> [String] {
        let text = try String(contentsOf: root.appendingPathComponent("etc/config/\(config)"), encoding: .utf8)
        let file = try UCIFile(parsing: text)
        return file.sections.map { section in
            let options = section.options.map { "\($0.key)=\($0.value.values)" }.sorted().joined(separator: " ")
            return "\(section.type) \(section.name ?? "-") \(options)"
        }.sorted()
    }

    @Test func anOCNRouterIsRecreatedFromItsImport() async throws {
        let original = try CLIImportTests.router()
        let applied = await CLI.run(["apply", CLI.ocn, "--root", original.path, "--yes"])
        #expect(applied.code == 0, "\(applied.all)")

        let output = try CLI.temporaryDirectory().appendingPathComponent("ocn-imported.yml").path
        let imported = await CLI.run(["import", "--root", original.path, "-o", output, "--name", "home"])
        #expect(imported.code == 0, "\(imported.stderr)")
        let text = try String(contentsOfFile: output, encoding: .utf8)
        #expect(!CLI.containsSecret(text + imported.all))
        for name in ["WRTFORM_WANPPP_USERNAME", "WRTFORM_WANPPP_PASSWORD", "WRTFORM_DDNS_SECRET"] {
            #expect(imported.stderr.contains("export \(name)=…"))
        }
        #expect(text.contains("- id: wanppp\n    interface:"))
        #expect(text.contains("- id: zone-wan_pppoe\n    firewall-zone:"))
        #expect(text.contains("- id: forwarding-lan-wan_pppoe\n    forwarding:"))
        #expect(text.contains("- id: forward-server-443\n    redirect:"))
        #expect(text.contains("- id: table-pppoe\n    routing-table:"))

        let fresh = try CLIImportTests.router()
        let recreated = await CLI.run(
            ["apply", output, "--root", fresh.path, "--yes"], environment: Self.importEnvironment)
        #expect(recreated.code == 0, "\(recreated.all)")
        #expect(!CLI.containsSecret(recreated.all))
        for config in ["network", "firewall"] {
            #expect(try Self.sections(fresh, config) == Self.sections(original, config), "\(config) differs")
        }
        for path in ["etc/iproute2/rt_tables", "etc/hotplug.d/iface/40-pppoe", "etc/wrtform/ddns.secret"] {
            let a = FileManager.default.contents(atPath: original.appendingPathComponent(path).path)
            let b = FileManager.default.contents(atPath: fresh.appendingPathComponent(path).path)
            #expect(a != nil && a == b, "\(path) differs")
        }
        let sysupgrade = { (root: URL) in
            Set(
                ((try? String(contentsOf: root.appendingPathComponent("etc/sysupgrade.conf"), encoding: .utf8)) ?? "")
                    .split(separator: "\n").filter { !$0.hasPrefix("#") })
        }
        #expect(sysupgrade(fresh) == sysupgrade(original))
    }

    @Test func importOverSSHPlansCleanAndAdoptsInOneWrite() async throws {
        let state = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: state) }
        try await withVirtualRouter { router in
            let target = CLI.target(router)
            let applied = await CLI.run(
                ["apply", CLI.ocn, "--yes"] + target, environment: CLI.environment(state: state))
            #expect(applied.code == 0, "\(applied.all)")
            // As if set up by hand: no playbook owns anything yet.
            let forgot = await CLI.run(
                ["state", "forget", "ocn-dualstack-pppoe", "--yes"] + target, environment: CLI.environment(state: state)
            )
            #expect(forgot.code == 0, "\(forgot.all)")
            let record = router.root.appendingPathComponent("etc/wrtform/owners.json")
            let recordBefore = FileManager.default.contents(atPath: record.path)
            let runs = {
                (try? FileManager.default.contentsOfDirectory(
                    atPath: router.root.appendingPathComponent("etc/wrtform/runs").path)) ?? []
            }
            let runsBefore = runs()

            let output = try CLI.temporaryDirectory().appendingPathComponent("imported.yml").path
            var environment = Self.importEnvironment
            environment["XDG_STATE_HOME"] = state.path
            let imported = await CLI.run(["import", "-o", output, "--name", "home"] + target, environment: environment)
            #expect(imported.code == 0, "\(imported.stderr)")
            #expect(!CLI.containsSecret(imported.all + ((try? String(contentsOfFile: output, encoding: .utf8)) ?? "")))
            // Without --adopt nothing was written on the router.
            #expect(FileManager.default.contents(atPath: record.path) == recordBefore)
            #expect(runs() == runsBefore)

            let adopted = await CLI.run(
                ["import", "-o", output, "--name", "home", "--adopt"] + target, environment: environment)
            #expect(adopted.code == 0, "\(adopted.all)")
            #expect(adopted.stderr.contains("Adopted: 'home' owns"))
            #expect(runs().count == runsBefore.count + 1)
            let plan = await CLI.run(["plan", output] + target, environment: environment)
            #expect(plan.code == 0, "\(plan.all)")
            #expect(!CLI.containsSecret(plan.all + adopted.all))
            let shown = await CLI.run(["state"] + target, environment: environment)
            #expect(shown.stdout.contains("forward-server-443 (redirect): created redirect"), "\(shown.stdout)")
            #expect(
                shown.stdout.contains("zone-wan (firewall-zone): set zone [name='wan']"),
                "a stock section is never claimed as created")
            // Adopted: deleting a step from the playbook now removes what it names.
            let text = try String(contentsOfFile: output, encoding: .utf8)
            let cut = try #require(text.range(of: "- id: forward-server-443"))
            let after = try #require(text[cut.upperBound...].range(of: "\n\n"))
            let head = text[..<cut.lowerBound]
            let commentStart = try #require(head.range(of: "\n\n  #", options: .backwards))
            let pruned = try CLI.playbook(
                String(text[..<commentStart.lowerBound]) + "\n" + String(text[after.upperBound...]))
            let prune = await CLI.run(["plan", pruned] + target, environment: environment)
            #expect(prune.code == 2, "\(prune.all)")
            #expect(prune.stdout.contains("forward-server-443 (redirect): delete"), "\(prune.stdout)")
        }
    }
}
