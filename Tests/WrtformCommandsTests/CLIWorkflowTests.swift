import Foundation
import Testing
import VirtualRouter

/// plan → apply → plan → history → rollback through the CLI, against the virtual router over SSH
/// and against a local copy of a router's files.
@Suite struct CLIWorkflowTests {
    @Test func ocnOverSSH() async throws {
        let state = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: state) }
        try await withVirtualRouter { router in
            let target = CLI.target(router)
            let environment = CLI.environment(state: state)
            var outputs: [String] = []

            let plan = await CLI.run(["plan", CLI.ocn] + target, environment: environment)
            outputs.append(plan.all)
            #expect(plan.code == 2)
            #expect(plan.stdout.contains("Plan: 12 to add, 0 to change, 0 to remove."))
            #expect(plan.stdout.contains("+300\tpppoe"))
            #expect(plan.stdout.contains("option password '(secret)'"))

            let refused = await CLI.run(["apply", CLI.ocn] + target, environment: environment)
            outputs.append(refused.all)
            #expect(refused.code == 1)
            #expect(refused.stderr.contains("error: refusing to apply without --yes: stdin is not a terminal"))
            #expect(try router.serviceCalls().isEmpty)

            let apply = await CLI.run(["apply", CLI.ocn, "--yes"] + target, environment: environment)
            outputs.append(apply.all)
            #expect(apply.code == 0, "\(apply.stderr)")
            #expect(apply.stdout.contains("Applied run "))
            // Off a terminal, a plain line per step written.
            #expect(apply.stdout.contains("step wanppp (interface): 2 changes written\n"))
            #expect(
                apply.stdout.contains("step keep-on-upgrade (sysupgrade-keep): 4 changes written\n"), "\(apply.stdout)")

            let again = await CLI.run(["plan", CLI.ocn] + target, environment: environment)
            outputs.append(again.all)
            #expect(again.code == 0)
            #expect(again.stdout.contains("No changes: the router matches the playbook."))
            let reapply = await CLI.run(["apply", CLI.ocn, "--yes"] + target, environment: environment)
            #expect(reapply.code == 0)
            #expect(reapply.stdout.contains("Nothing to apply: no files written, no services reloaded."))
            // network, firewall, and cron (enable, reload) for the DDNS check's crontab line.
            #expect(try router.serviceCalls().count == 4)

            let history = await CLI.run(["history", "--json"] + target, environment: environment)
            outputs.append(history.all)
            let document = try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [String: Any]
            let runs = document?["runs"] as? [[String: Any]]
            #expect(runs?.count == 1)
            #expect(runs?.first?["status"] as? String == "done")

            let dryRun = await CLI.run(["rollback", "--dry-run"] + target, environment: environment)
            outputs.append(dryRun.all)
            #expect(dryRun.code == 0)
            #expect(dryRun.stdout.contains("-300\tpppoe"))
            let rollback = await CLI.run(["rollback", "--yes"] + target, environment: environment)
            outputs.append(rollback.all)
            #expect(rollback.code == 0, "\(rollback.stderr)")
            #expect(rollback.stdout.contains("Rolled back run "))
            let twice = await CLI.run(["rollback", "--yes"] + target, environment: environment)
            #expect(twice.stdout.contains("Nothing to roll back"))
            let clean = await CLI.run(["plan", CLI.ocn] + target, environment: environment)
            #expect(clean.code == 2)

            // No secret anywhere: outputs, the router's command lines, the local journal.
            for output in outputs { #expect(!CLI.containsSecret(output)) }
            #expect(!CLI.containsSecret(try router.commandLog().joined(separator: "\n")))
            let journals =
                FileManager.default.enumerator(atPath: state.path)?.allObjects.compactMap { $0 as? String } ?? []
            #expect(journals.contains { $0.hasSuffix(".json") })
            for journal in journals where journal.hasSuffix(".json") {
                let text = try String(contentsOf: state.appendingPathComponent(journal), encoding: .utf8)
                #expect(!CLI.containsSecret(text))
            }
        }
    }

    /// A bare `rollback` undoes the last run only: run twice, the second finds it undone and
    /// leaves the earlier run's changes alone (an older run is undone by naming it).
    @Test func secondRollbackLeavesTheEarlierRunAlone() async throws {
        let first = try CLI.playbook(
            """
            steps:
              - id: table
                routing-table: { id: 300, name: pppoe }
            """, named: "first.yml")
        let second = try CLI.playbook(
            """
            steps:
              - id: forward
                redirect: { name: web, src: wan, src_dport: 8080, dest_ip: 192.168.1.20 }
            """, named: "second.yml")
        let state = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: state) }
        try await withVirtualRouter { router in
            let target = CLI.target(router)
            let environment = CLI.environment(state: state)
            #expect(await CLI.run(["apply", first, "--yes"] + target, environment: environment).code == 0)
            #expect(await CLI.run(["apply", second, "--yes"] + target, environment: environment).code == 0)
            func text(_ path: String) -> String {
                (try? String(contentsOf: router.root.appendingPathComponent(path), encoding: .utf8)) ?? "<absent>"
            }
            #expect(text("etc/config/firewall").contains("option name 'web'"))

            let undo = await CLI.run(["rollback", "--yes"] + target, environment: environment)
            #expect(undo.code == 0, "\(undo.stderr)")
            #expect(!text("etc/config/firewall").contains("option name 'web'"))
            let again = await CLI.run(["rollback", "--yes"] + target, environment: environment)
            #expect(again.code == 0)
            #expect(again.stdout.contains("Nothing to roll back: the last run, "), "\(again.all)")
            #expect(again.stdout.contains("was rolled-back already"))
            #expect(text("etc/iproute2/rt_tables").contains("300\tpppoe"))
        }
    }

    @Test func jsonPlanShape() async throws {
        try await withVirtualRouter { router in
            let result = await CLI.run(["plan", CLI.ocn, "--json"] + CLI.target(router))
            #expect(result.code == 2)
            let document = try #require(
                try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            #expect(document["format"] as? Int == 1)
            #expect(document["command"] as? String == "plan")
            #expect(document["changes_pending"] as? Bool == true)
            let steps = try #require(document["steps"] as? [[String: Any]])
            #expect(
                steps.map { $0["id"] as? String } == [
                    "pppoe-table", "wanppp", "zone", "lan-to-pppoe", "lan-stays-local", "server-via-pppoe",
                    "forward-443",
                    "server-https-v6", "ddns-password", "ddns-hook", "ddns-check", "keep-on-upgrade",
                ])
            #expect(steps.first?["action"] as? String == "create")
            let files = try #require(document["files"] as? [[String: Any]])
            #expect(
                files.contains { $0["path"] as? String == "/etc/wrtform/ddns.secret" && $0["secret"] as? Bool == true })
            let summary = try #require(document["summary"] as? [String: Int])
            #expect(summary == ["add": 12, "change": 0, "remove": 0])
            #expect(!CLI.containsSecret(result.all))
        }
    }

    @Test func ocnOnLocalRoot() async throws {
        let root = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.removeItem(at: root)
        try FileManager.default.copyItem(
            at: CLI.repository.appendingPathComponent("Fixtures/routers/ocn-mape"), to: root)
        let state = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: state) }
        let environment = CLI.environment(state: state)
        let target = ["--root", root.path]
        let before = try String(contentsOf: root.appendingPathComponent("etc/config/network"), encoding: .utf8)

        #expect(await CLI.run(["plan", CLI.ocn] + target, environment: environment).code == 2)
        let apply = await CLI.run(["apply", CLI.ocn, "--yes"] + target, environment: environment)
        #expect(apply.code == 0, "\(apply.stderr)")
        #expect(apply.stdout.contains("SKIP"))
        // A directory has no services: the summary must not claim a reload.
        #expect(apply.stdout.contains("nothing reloaded"), "\(apply.stdout)")
        #expect(!apply.stdout.contains("reloaded network"))
        let network = try String(contentsOf: root.appendingPathComponent("etc/config/network"), encoding: .utf8)
        #expect(network.contains("config interface 'wanppp'"))
        #expect(network.contains("maptype")) // the MAP-E interface is untouched
        #expect(await CLI.run(["plan", CLI.ocn] + target, environment: environment).code == 0)
        let rollback = await CLI.run(["rollback", "--yes"] + target, environment: environment)
        #expect(rollback.code == 0, "\(rollback.stderr)")
        #expect(try String(contentsOf: root.appendingPathComponent("etc/config/network"), encoding: .utf8) == before)
    }

    /// A directory's facts come from its files: the configured hostname, the tools it holds.
    @Test func factsOnLocalRoot() async throws {
        let root = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.removeItem(at: root)
        try FileManager.default.copyItem(
            at: CLI.repository.appendingPathComponent("Fixtures/routers/openwrt-24.10"), to: root)
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("sbin"), withIntermediateDirectories: true)
        #expect(
            FileManager.default.createFile(
                atPath: root.appendingPathComponent("sbin/fw4").path, contents: Data("#!/bin/sh\n".utf8)))
        let facts = await CLI.run(["facts", "--json", "--root", root.path])
        #expect(facts.code == 0, "\(facts.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(facts.stdout.utf8)) as? [String: Any])
        let body = try #require(document["facts"] as? [String: Any])
        #expect(body["hostname"] as? String == "OpenWrt")
        #expect((body["tools"] as? [String: Bool])?["fw4"] == true)
        #expect((body["tools"] as? [String: Bool])?["nft"] == false)
    }

    @Test func factsAndGraph() async throws {
        try await withVirtualRouter { router in
            let facts = await CLI.run(["facts", "--json"] + CLI.target(router))
            #expect(facts.code == 0)
            let document = try #require(
                try JSONSerialization.jsonObject(with: Data(facts.stdout.utf8)) as? [String: Any])
            let body = try #require(document["facts"] as? [String: Any])
            #expect((body["release"] as? [String: String])?["DISTRIB_ID"] == "OpenWrt")
            #expect(body["hostname"] as? String == "OpenWrt")
            #expect((body["tools"] as? [String: Bool])?["uci"] == false)
            #expect((body["configs"] as? [String])?.contains("network") == true)
        }
        let graph = await CLI.run(["graph", CLI.ocn])
        #expect(graph.code == 0)
        #expect(graph.stdout.hasPrefix("digraph wrtform {"))
        #expect(graph.stdout.contains("\"wanppp\" -> \"zone\" [style=dashed];"))
    }
}
