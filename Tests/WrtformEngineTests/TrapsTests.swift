import Foundation
import Testing
import VirtualRouter
import WrtformEngine
import WrtformUCI

/// OpenWrt's traps (issue 8), one test per trap, through the virtual router wherever something runs
/// on the router. See /work/shared/openwrt-facts.md for each trap's source.
@Suite struct TrapsTests {
    // MARK: A rule's bare address is written with /32 or /128

    @Test func bareRuleAddressesGetAHostPrefix() async throws {
        try await withVirtualRouter { router in
            let target = router.sshTarget()
            let graph = try StepGraph([
                .init(step: try StepBuilder.step("table", "routing-table", ["id": "300", "name": "pppoe"], line: 1)),
                .init(
                    step: try StepBuilder.step(
                        "r4", "network-rule",
                        ["in": "lan", "src": "192.168.1.5", "dest": "10.9.8.7", "lookup": "pppoe"], line: 2)),
                .init(
                    step: try StepBuilder.step(
                        "r6", "network-rule",
                        ["family": "ipv6", "src": "2001:db8::5", "dest": "2001:db8:1::7", "lookup": "main"], line: 3)),
                .init(
                    step: try StepBuilder.step(
                        "net", "network-rule", ["src": "10.1.0.0/16", "lookup": "pppoe"], line: 4)),
            ])
            _ = try await Applier(options: TrapsRouter.options()).apply(
                try await TrapsRouter.plan(graph, target), to: target)
            let network = try UCIFile(parsing: router.read("/etc/config/network"), path: "/etc/config/network")
            let rules = network.sections(ofType: "rule") + network.sections(ofType: "rule6")
            #expect(rules.count == 3)
            let values = rules.flatMap { rule in ["src", "dest"].compactMap { rule[$0]?.values.first } }
            #expect(
                values.sorted() == [
                    "10.1.0.0/16", "10.9.8.7/32", "192.168.1.5/32", "2001:db8:1::7/128", "2001:db8::5/128",
                ])
            // The same playbook again finds its rules: nothing to do.
            #expect(!(try await TrapsRouter.plan(graph, target)).hasChanges)
            await target.close()
        }
    }

    /// A rule made by hand (or by the original recipe) with a bare src is the trap itself: the step
    /// fixes it in place instead of adding a second rule beside it, and rollback puts it back.
    @Test func aHandMadeBareRuleIsFixedNotDuplicated() async throws {
        try await withVirtualRouter { router in
            try router.write("/etc/iproute2/rt_tables", router.read("/etc/iproute2/rt_tables") + "300\tpppoe\n")
            let handMade =
                router.read("/etc/config/network")
                + "\nconfig rule\n\toption in 'lan'\n\toption src '192.168.1.5'\n\toption lookup 'pppoe'\n"
            try router.write("/etc/config/network", handMade)
            let target = router.sshTarget()
            let graph = try StepGraph([
                .init(
                    step: try StepBuilder.step(
                        "rule", "network-rule", ["in": "lan", "src": "192.168.1.5", "lookup": "pppoe"]))
            ])
            let plan = try await TrapsRouter.plan(graph, target)
            #expect(plan.steps.first?.action == .update)
            _ = try await Applier(options: TrapsRouter.options()).apply(plan, to: target)
            let network = try UCIFile(parsing: router.read("/etc/config/network"), path: "/etc/config/network")
            #expect(network.sections(ofType: "rule").map { $0["src"]?.values } == [["192.168.1.5/32"]])
            #expect(!(try await TrapsRouter.plan(graph, target)).hasChanges)

            let undo = try Rollback().plan(try await target.snapshot(paths: [], run: "last"))
            _ = try await Rollback().apply(undo, with: Applier(options: TrapsRouter.options()), to: target)
            #expect(router.read("/etc/config/network") == handMade)
            await target.close()
        }
    }

    // MARK: Plan refuses while someone else is mid-change (unless forced)

    struct MidChange: Sendable, CustomTestStringConvertible {
        var name: String
        /// Path inside the router (/var is a symlink to /tmp there, so /var/run is /tmp/run) and content.
        var path: String
        var content: String
        var message: String?
        var testDescription: String { name }
    }

    static let midChanges: [MidChange] = [
        MidChange(
            name: "uci CLI staging", path: "/tmp/.uci/network", content: "network.lan.ipaddr='10.0.0.1'\n",
            message: "uncommitted uci changes in /tmp/.uci/network"),
        MidChange(
            name: "a LuCI session's staging", path: "/var/run/rpcd/uci-5f3c0a9e1b2d4c6f8a7b9c0d1e2f3a4b/firewall",
            content: "firewall.cfg0a92bd.input='ACCEPT'\n",
            message: "a LuCI session's staged changes in /var/run/rpcd/uci-5f3c0a9e1b2d4c6f8a7b9c0d1e2f3a4b"),
        MidChange(
            name: "a pending LuCI apply", path: "/var/run/rpcd/snapshot-files/network",
            content: "config interface 'lan'\n",
            message: "a LuCI apply waiting for confirmation (/var/run/rpcd/snapshot-files)"),
        // Not mid-change: an empty staging file (uci revert leaves one) and a session with nothing staged.
        MidChange(name: "empty uci staging file", path: "/tmp/.uci/network", content: "", message: nil),
        MidChange(
            name: "LuCI session with nothing staged", path: "/var/run/rpcd/uci-5f3c0a9e1b2d4c6f8a7b9c0d1e2f3a4b/.keep",
            content: "",
            message: nil),
    ]

    @Test(arguments: TrapsTests.midChanges)
    func planRefusesWhileSomeoneElseIsMidChange(_ state: MidChange) async throws {
        try await withVirtualRouter { router in
            // Written through the router's own /var symlink, as rpcd would.
            let directory = (state.path as NSString).deletingLastPathComponent
            let name = state.name.contains("nothing staged") ? "" : (state.path as NSString).lastPathComponent
            let run = try router.runInSandbox(
                "mkdir -p '\(directory)' && \(name.isEmpty ? "true" : "printf '%s' '\(state.content)' > '\(state.path)'")"
            )
            #expect(run.exitCode == 0, "\(run.output)")
            let target = router.sshTarget()
            let graph = try StepBuilder.ocn()
            if let message = state.message {
                let error = await #expect(throws: EngineError.self) { try await TrapsRouter.plan(graph, target) }
                #expect(error?.kind == .pendingChanges)
                #expect(error?.message == "someone else is mid-change on the router: \(message)")
                #expect(error?.hint?.contains("--force") == true)
                let forced = try await TrapsRouter.plan(graph, target, force: true)
                #expect(forced.hasChanges)
            } else {
                #expect(try await TrapsRouter.plan(graph, target).hasChanges)
            }
            await target.close()
        }
    }

    // MARK: Nothing of ours but dot-named temp files ever lands in /etc/config

    @Test func onlyConfigNamesStayInEtcConfig() async throws {
        try await withVirtualRouter { router in
            try TrapsRouter.installUCI(router)
            #expect(try TrapsRouter.configListing(router) == TrapsRouter.stockConfigs)
            let target = router.sshTarget()
            let graph = try StepBuilder.ocn()

            // A failed apply (the firewall reload fails: the router restores its files).
            try router.setServiceBehavior(.fail(1), for: "firewall")
            await #expect(throws: EngineError.self) {
                try await Applier(options: TrapsRouter.options()).apply(
                    try await TrapsRouter.plan(graph, target), to: target)
            }
            #expect(try TrapsRouter.configListing(router) == TrapsRouter.stockConfigs)
            try router.setServiceBehavior(.succeed, for: "firewall")

            // A rejected apply (uci reports an error for the new firewall).
            let rejected = try StepGraph(
                graph.ordered.map { StepGraph.Node(step: $0) }
                    + [
                        .init(
                            step: try StepBuilder.step(
                                "bad", "redirect",
                                [
                                    "name": TrapsRouter.badMarker, "src": "wan", "src_dport": "8080",
                                    "dest_ip": "192.168.1.9",
                                ]))
                    ])
            await #expect(throws: EngineError.self) {
                try await Applier(options: TrapsRouter.options()).apply(
                    try await TrapsRouter.plan(rejected, target), to: target)
            }
            #expect(try TrapsRouter.configListing(router) == TrapsRouter.stockConfigs)

            // A good apply, then its rollback.
            _ = try await Applier(options: TrapsRouter.options()).apply(
                try await TrapsRouter.plan(graph, target), to: target)
            #expect(try TrapsRouter.configListing(router) == TrapsRouter.stockConfigs)
            let undo = try Rollback().plan(try await target.snapshot(paths: [], run: "last"))
            _ = try await Rollback().apply(undo, with: Applier(options: TrapsRouter.options()), to: target)
            #expect(try TrapsRouter.configListing(router) == TrapsRouter.stockConfigs)

            // While the write ran, uci was asked about each new config: what /etc/config held then is
            // the stock configs plus our temp files, every one of them dot-named.
            let calls = TrapsRouter.uciCalls(router)
            #expect(calls.count >= 6)
            var temps: Set<String> = []
            for call in calls {
                for name in call.listing where !TrapsRouter.stockConfigs.contains(name) && name != "." && name != ".." {
                    #expect(name.hasPrefix("."), "\(name) in /etc/config during `uci \(call.call)`")
                    temps.insert(name)
                }
            }
            #expect(temps.contains { $0.hasPrefix(".network.wrtform-") })
            #expect(temps.contains { $0.hasPrefix(".firewall.wrtform-") })
            await target.close()
        }
    }

    // MARK: rt_tables lines are ID<TAB>NAME with nothing after

    struct TablesFile: Sendable, CustomTestStringConvertible {
        var name: String
        /// nil: the router has no rt_tables.
        var content: String?
        var testDescription: String { name }
    }

    static let tablesFiles: [TablesFile] = [
        TablesFile(
            name: "stock",
            content:
                "#\n# reserved values\n#\n255\tlocal\n254\tmain\n253\tdefault\n0\tunspec\n#\n# local\n#\n#1\tinr.ruhep\n"
        ),
        TablesFile(name: "no newline at the end", content: "255\tlocal\n254\tmain\n253\tdefault\n0\tunspec\n200 isp2"),
        TablesFile(name: "absent", content: nil),
    ]

    @Test(arguments: TrapsTests.tablesFiles)
    func routingTableLineIsIDTabName(_ file: TablesFile) async throws {
        try await withVirtualRouter { router in
            let path = router.root.appendingPathComponent("etc/iproute2/rt_tables")
            if let content = file.content {
                try Data(content.utf8).write(to: path)
            } else {
                try FileManager.default.removeItem(at: path)
            }
            let target = router.sshTarget()
            let graph = try StepGraph([
                .init(step: try StepBuilder.step("t", "routing-table", ["id": "300", "name": "pppoe"]))
            ])
            _ = try await Applier(options: TrapsRouter.options()).apply(
                try await TrapsRouter.plan(graph, target), to: target)
            let text = router.read("/etc/iproute2/rt_tables")
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            #expect(lines.filter { $0 == "300\tpppoe" }.count == 1, "\(text)")
            #expect(text.hasSuffix("300\tpppoe\n"))
            if let content = file.content {
                #expect(
                    text.hasPrefix(content.hasSuffix("\n") ? content : content + "\n"), "the file's own lines are kept")
            }
            // Every table line reads as LuCI reads it (^(\d+)\s+(\S+)$), and as netifd does.
            for line in lines where !line.isEmpty && !line.hasPrefix("#") {
                #expect(line.wholeMatch(of: /(\d+)\s+(\S+)/) != nil, "'\(line)' does not read as a table line")
            }
            #expect(!(try await TrapsRouter.plan(graph, target)).hasChanges)
            await target.close()
        }
    }

    // MARK: A config uci complains about is never written; fw4 check gates the firewall reload

    @Test func aConfigUCIComplainsAboutIsNeverWritten() async throws {
        try await withVirtualRouter { router in
            try TrapsRouter.installUCI(router)
            let before = router.etc()
            let target = router.sshTarget()
            let graph = try StepGraph(
                try StepBuilder.ocn().ordered.map { StepGraph.Node(step: $0) }
                    + [
                        .init(
                            step: try StepBuilder.step(
                                "bad", "redirect",
                                [
                                    "name": TrapsRouter.badMarker, "src": "wan", "src_dport": "8080",
                                    "dest_ip": "192.168.1.9",
                                ]))
                    ])
            let error = await #expect(throws: EngineError.self) {
                try await Applier(options: TrapsRouter.options()).apply(
                    try await TrapsRouter.plan(graph, target), to: target)
            }
            #expect(error?.kind == .applyFailed)
            #expect(
                error?.message
                    == "the router's uci rejected the new /etc/config/firewall: uci: Parse error (invalid command) at line 40, byte 0; nothing was changed"
            )
            #expect(router.etc() == before)
            #expect(try router.serviceCalls().isEmpty)
            #expect(!router.exists("/var/lock/wrtform"))
            #expect(
                try FileManager.default.contentsOfDirectory(atPath: router.root.appendingPathComponent("tmp").path)
                    .allSatisfy { !$0.hasPrefix(".wrtform-uci-") })
            // uci was really asked, in a copy outside /etc/config, and the write stopped at its answer.
            #expect(TrapsRouter.uciCalls(router).map(\.call) == ["show firewall"])
            let runs = try await target.snapshot(paths: [], run: nil).runs
            #expect(runs.map(\.status) == [.aborted])
            await target.close()
        }
    }

    struct FW4Failure: Sendable, CustomTestStringConvertible {
        var name: String
        var exit: Int
        var output: String
        var message: String
        var testDescription: String { name }
    }

    static let fw4Failures: [FW4Failure] = [
        FW4Failure(
            name: "fw4 check fails", exit: 1, output: "/dev/stdin:12:47-52: Error: syntax error, unexpected string",
            message:
                "reload of fw4-check failed (exit 1: /dev/stdin:12:47-52: Error: syntax error, unexpected string); the router restored its files and is back where it was"
        ),
        FW4Failure(
            name: "fw4 check exits 0 over a config it cannot parse",
            exit: 0,
            output:
                "Unable to load firewall config: Parse error (invalid command) at line 3, byte 0\nRuleset passes nftables check.",
            message:
                "reload of fw4-check failed (exit 0: Unable to load firewall config: Parse error (invalid command) at line 3, byte 0 / Ruleset passes nftables check.); the router restored its files and is back where it was"
        ),
    ]

    @Test(arguments: TrapsTests.fw4Failures)
    func fw4CheckGatesTheFirewallReload(_ failure: FW4Failure) async throws {
        try await withVirtualRouter { router in
            try TrapsRouter.installFW4(router, checkExit: failure.exit, output: failure.output)
            // Each reload notes whether it saw our new firewall config.
            for service in ["network", "firewall"] {
                try router.setServiceBehavior(
                    .run("grep -c wan_pppoe /etc/config/firewall >> /tmp/.traps-\(service)-saw"), for: service)
            }
            let before = router.etc()
            let target = router.sshTarget()
            let error = await #expect(throws: EngineError.self) {
                try await Applier(options: TrapsRouter.options()).apply(
                    try await TrapsRouter.plan(try StepBuilder.ocn(), target), to: target)
            }
            #expect(error?.message == failure.message)
            #expect(router.etc() == before)
            #expect(router.read(TrapsRouter.fw4Log) == "check\n")
            // The check runs before the first reload: when it fails, the old files go back and
            // nothing is reloaded at all — no reload ever saw the new firewall config.
            #expect(router.read("/tmp/.traps-firewall-saw") == "<absent>")
            #expect(router.read("/tmp/.traps-network-saw") == "<absent>")
            let calls = try router.serviceCalls()
            #expect(calls.isEmpty)
            #expect(!router.exists("/var/lock/wrtform"))
            let runs = try await target.snapshot(paths: [], run: nil).runs
            #expect(runs.map(\.status) == [.restored])
            await target.close()
        }
    }

    // MARK: PPPoE interface names are at most 9 characters

    @Test func pppoeInterfaceNamesLongerThanNineAreRefused() async throws {
        // The device is pppoe-NAME and Linux device names stop at 15 characters.
        let nine = try StepBuilder.step("w", "interface", ["name": "wanppp123", "proto": "pppoe"])
        #expect((nine as? InterfaceStep)?.name == "wanppp123")
        let ten = #expect(throws: EngineError.self) {
            try StepBuilder.step("w", "interface", ["name": "wanpppoe10", "proto": "pppoe"], line: 7)
        }
        #expect(
            ten?.message
                == "PPP interface name 'wanpppoe10' is longer than 9 characters (its device pppoe-wanpppoe10 would exceed 15)"
        )
        #expect(ten?.location?.line == 7)
        #expect(ten?.hint == "use a shorter name, e.g. 'wanppp'")
        // A long name is fine for other protocols.
        _ = try StepBuilder.step("w", "interface", ["name": "wan_mape_long", "proto": "map"])
        // Nor can the generic uci steps get around it.
        let section = #expect(throws: EngineError.self) {
            try StepBuilder.step(
                "s", "uci-section",
                ["config": "network", "type": "interface", "name": "wanpppoe10", "options": ["proto": "pppoe"]])
        }
        #expect(section?.message.contains("longer than 9 characters") == true)

        let copy = try RouterCopy()
        defer { copy.remove() }
        try copy.write(
            "/etc/config/network",
            copy.read("/etc/config/network") + "\nconfig interface 'wanpppoe10'\n\toption proto 'dhcp'\n")
        let target = try LocalDirectoryTarget(root: copy.root)
        // Switching an existing long-named interface to PPPoE: refused when the playbook is read…
        let options = #expect(throws: EngineError.self) {
            try StepBuilder.step("o", "interface-options", ["name": "wanpppoe10", "proto": "pppoe"], line: 4)
        }
        #expect(options?.message.contains("PPP interface name 'wanpppoe10' is longer than 9 characters") == true)
        // …or, where only the router knows the section's name (uci addressing), when the plan is made.
        let step = try StepBuilder.step(
            "o", "uci-option", ["config": "network", "section": "@interface[-1]", "options": ["proto": "pppoe"]],
            line: 4)
        let error = await #expect(throws: EngineError.self) {
            try await TrapsRouter.plan(try StepGraph([.init(step: step)]), target)
        }
        #expect(
            error?.message
                == "step 'o': PPP interface name 'wanpppoe10' is longer than 9 characters (its device pppoe-wanpppoe10 would exceed 15)"
        )
        #expect(error?.location?.line == 4)
    }

    // MARK: Persistence: sysupgrade.conf lists our files, once

    @Test func sysupgradeKeepListsFilesOnce() async throws {
        try await withVirtualRouter { router in
            // The user already keeps rt_tables (with trailing blanks, no newline at the end).
            let before = router.read("/etc/sysupgrade.conf") + "/etc/iproute2/rt_tables  "
            try router.write("/etc/sysupgrade.conf", before)
            let target = router.sshTarget()
            let graph = try StepBuilder.ocn()
            _ = try await Applier(options: TrapsRouter.options()).apply(
                try await TrapsRouter.plan(graph, target), to: target)
            let text = router.read("/etc/sysupgrade.conf")
            #expect(text == before + "\n/etc/hotplug.d/iface/40-pppoe\n")
            let again = try await TrapsRouter.plan(graph, target)
            #expect(again.steps.first { $0.id == "keep" }?.action == StepAction.noop)
            #expect(!again.hasChanges)

            // Rollback takes back only the line we added.
            let undo = try Rollback().plan(try await target.snapshot(paths: [], run: "last"))
            _ = try await Rollback().apply(undo, with: Applier(options: TrapsRouter.options()), to: target)
            #expect(router.read("/etc/sysupgrade.conf").hasPrefix(before))
            #expect(!router.read("/etc/sysupgrade.conf").contains("40-pppoe"))
            await target.close()
        }
    }

    @Test func sysupgradeKeepOnAStockRouter() async throws {
        try await withVirtualRouter { router in
            let before = router.read("/etc/sysupgrade.conf")
            let target = router.sshTarget()
            let graph = try StepBuilder.ocn()
            _ = try await Applier(options: TrapsRouter.options()).apply(
                try await TrapsRouter.plan(graph, target), to: target)
            #expect(
                router.read("/etc/sysupgrade.conf") == before
                    + "/etc/iproute2/rt_tables\n/etc/hotplug.d/iface/40-pppoe\n")
            #expect(!(try await TrapsRouter.plan(graph, target)).hasChanges)
            await target.close()
        }
    }
}
