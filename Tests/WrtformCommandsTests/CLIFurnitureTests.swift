import Foundation
import Testing
import VirtualRouter

@testable import WrtformCommands

/// Flags, JSON and the small things a new user trips over, through the CLI.
@Suite struct CLIFurnitureTests {
    static var portForward: String { CLI.repository.appendingPathComponent("Playbooks/port-forward.yml").path }

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "\(text)")
    }

    /// `rollback --json` without --yes refuses up front (as `apply --json` does) instead of printing
    /// nothing; every --json failure keeps the target and run id it knew.
    @Test func rollbackJSONNeedsYesAndFailuresKeepTarget() async throws {
        try await withVirtualRouter { router in
            let target = CLI.target(router)
            let refused = await CLI.run(["rollback", "--json"] + target)
            #expect(refused.code != 0)
            #expect(refused.stderr.contains("--json needs --yes or --dry-run (there is no one to ask)"))
            #expect(try router.commandLog().isEmpty)
            let dryRun = await CLI.run(["rollback", "--json", "--dry-run"] + target)
            #expect(dryRun.code == 0)
            #expect(try json(dryRun.stdout)["status"] as? String == "nothing-to-roll-back")
            let missing = await CLI.run(["rollback", "20990101T000000Z-0000", "--json", "--yes"] + target)
            #expect(missing.code == 1)
            let document = try json(missing.stdout)
            #expect(document["target"] as? String == "root@\(router.host):\(router.port)")
            #expect(document["run_id"] as? String == "20990101T000000Z-0000")
            #expect((document["error"] as? [String: Any])?["kind"] as? String == "not found")
            let plan = await CLI.run(
                [
                    "plan", "--json",
                    try CLI.playbook("steps:\n  - id: z\n    firewall-zone: { name: z, network: [nowhere] }\n"),
                ] + target)
            #expect(plan.code == 1)
            #expect(try json(plan.stdout)["target"] as? String == "root@\(router.host):\(router.port)")
        }
    }

    /// `--confirm-timeout 20` alone works: the default verify timeout stays under it.
    /// `--no-watchdog` replaces `--no-confirm` (kept, hidden); --force's meanings are separate flags.
    @Test func flagsThatAreNotTargetFlags() async throws {
        // (On a directory, so the 20 s window itself cannot make a loaded test machine fail it.)
        let root = try CLI.temporaryDirectory()
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("etc/config"), withIntermediateDirectories: true)
        try "\nconfig zone\n\toption name 'wan'\n\nconfig zone\n\toption name 'lan'\n".write(
            to: root.appendingPathComponent("etc/config/firewall"), atomically: true, encoding: .utf8)
        let short = await CLI.run(["apply", Self.portForward, "--yes", "--confirm-timeout", "20", "--root", root.path])
        #expect(short.code == 0, "\(short.all)")
        #expect(short.stdout.contains("Applied run "))
        try await withVirtualRouter { router in
            let target = CLI.target(router)
            let noWatchdog = await CLI.run(
                ["apply", Self.portForward, "--yes", "--no-watchdog", "--var", "external_port=8081"] + target)
            #expect(noWatchdog.code == 0, "\(noWatchdog.all)")
            #expect(noWatchdog.stderr.contains("--no-watchdog: if this change cuts you off, the router keeps it"))
            let old = await CLI.run(
                ["apply", Self.portForward, "--yes", "--no-confirm", "--var", "external_port=8082"] + target)
            #expect(old.code == 0, "\(old.all)")
        }
        let help = await CLI.run(["apply", "--help"])
        #expect(help.stdout.contains("--no-watchdog"))
        #expect(!help.stdout.contains("--no-confirm"))
        #expect(help.stdout.contains("--ignore-staged-changes"))
        #expect(help.stdout.contains("--break-lock"))
        let tooLate = await CLI.run([
            "apply", CLI.ocn, "--host", "127.0.0.1", "--confirm-timeout", "20", "--verify-timeout", "25",
        ])
        #expect(tooLate.stderr.contains("--verify-timeout (25 s) must be shorter than --confirm-timeout (20 s)"))
    }

    @Test func historyHasAHeaderAndLast() async throws {
        try await withVirtualRouter { router in
            let target = CLI.target(router)
            for port in ["8081", "8082"] {
                let apply = await CLI.run(
                    ["apply", Self.portForward, "--yes", "--var", "external_port=\(port)"] + target)
                #expect(apply.code == 0, "\(apply.all)")
            }
            let all = await CLI.run(["history"] + target)
            let lines = all.stdout.split(separator: "\n")
            #expect(lines.count == 3, "\(all.stdout)")
            #expect(lines.first?.hasPrefix("RUN ") == true)
            #expect(lines.first?.contains("WHEN (UTC)") == true)
            // The columns line up: FILES starts where each run's files start, whatever the playbook's name.
            let filesColumn = lines.first.flatMap { $0.range(of: "FILES") }.map {
                lines[0].distance(from: lines[0].startIndex, to: $0.lowerBound)
            }
            for line in lines.dropFirst() {
                let files = line.range(of: "/etc/").map { line.distance(from: line.startIndex, to: $0.lowerBound) }
                #expect(files == filesColumn, "\(all.stdout)")
            }
            let last = await CLI.run(["history", "--last", "1"] + target)
            #expect(last.stdout.split(separator: "\n").count == 2)
            #expect(last.stdout.split(separator: "\n").last.map(String.init) == lines.last.map(String.init))
            let lastJSON = await CLI.run(["history", "--last", "1", "--json"] + target)
            let lastRuns = try json(lastJSON.stdout)["runs"] as? [Any]
            #expect(lastRuns?.count == 1)
        }
    }

    @Test func oneStepAndMistypedCommand() async throws {
        let validate = await CLI.run(["validate", Self.portForward])
        #expect(validate.stdout.hasSuffix(": ok (1 step: forward)\n"), "\(validate.stdout)")
        let typo = await CLI.run(["aply", CLI.ocn])
        #expect(typo.code == 1)
        #expect(typo.stderr == "error: 'aply' is not a wrtform command (did you mean 'apply'?)\n")
        let completion = await CLI.run(["completion", "bash"])
        #expect(completion.code == 0)
        #expect(completion.stdout.contains("confirm"))
        #expect(completion.stdout.contains("complete"))
        #expect(await CLI.run(["completion", "tcsh"]).code != 0)
    }

    @Test func varFile() async throws {
        let directory = try CLI.temporaryDirectory()
        let file = directory.appendingPathComponent("vars.env")
        try "# overrides\nexternal_port=8443\n\nserver_ip = 192.168.1.30\n".write(
            to: file, atomically: true, encoding: .utf8)
        let root = directory.appendingPathComponent("root/etc/config")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try "\nconfig zone\n\toption name 'wan'\n\nconfig zone\n\toption name 'lan'\n".write(
            to: root.appendingPathComponent("firewall"), atomically: true, encoding: .utf8)
        let plan = await CLI.run([
            "plan", Self.portForward, "--var-file", file.path, "--var", "server_port=443", "--root",
            directory.appendingPathComponent("root").path,
        ])
        #expect(plan.code == 2, "\(plan.all)")
        #expect(plan.stdout.contains("option src_dport '8443'"))
        #expect(plan.stdout.contains("option dest_ip '192.168.1.30'"))
        #expect(plan.stdout.contains("option dest_port '443'"))
        try "external_port 8443\n".write(to: file, atomically: true, encoding: .utf8)
        let bad = await CLI.run(["validate", Self.portForward, "--var-file", file.path])
        #expect(bad.stderr == "error: \(file.path):1:1: a --var-file line must be name=value\n")
    }

    /// One update of a section the router already has.
    static let wanMetric = "name: metric\nsteps:\n  - id: wan-metric\n    interface-options: { name: wan, metric: 1 }\n"

    @Test func structuredJSON() async throws {
        let validate = await CLI.run(["validate", CLI.ocn, "--json"])
        let document = try json(validate.stdout)
        #expect(document["status"] as? String == "ok")
        let steps = (document["graph"] as? [String: Any])?["steps"] as? [[String: Any]]
        #expect(steps?.first?["id"] as? String == "pppoe-table")
        let graph = await CLI.run(["graph", CLI.ocn, "--json"])
        let edges = (try json(graph.stdout)["graph"] as? [String: Any])?["edges"] as? [[String: Any]]
        #expect(
            edges?.contains { $0["from"] as? String == "zone" && $0["to"] as? String == "lan-to-pppoe" } == true,
            "\(graph.stdout)")
        let failed = await CLI.run([
            "validate", try CLI.playbook("steps:\n  - id: x\n    forwarding: { src: lan, dst: wan }\n"), "--json",
        ])
        #expect(failed.code == 1)
        #expect(
            (try json(failed.stdout)["error"] as? [String: Any])?["message"] as? String
                == "forwarding step 'x': unknown field 'dst'")

        try await withVirtualRouter { router in
            let plan = await CLI.run(["plan", CLI.ocn, "--json"] + CLI.target(router))
            let planSteps = try json(plan.stdout)["steps"] as? [[String: Any]]
            let wanppp = planSteps?.first { $0["id"] as? String == "wanppp" }
            let objects = wanppp?["change_objects"] as? [[String: Any]]
            #expect(
                objects?.contains {
                    $0["option"] as? String == "proto" && $0["new"] as? String == "pppoe"
                        && $0["action"] as? String == "create"
                } == true)
            #expect(
                objects?.contains { $0["option"] as? String == "password" && $0["new"] as? String == "(secret)" }
                    == true)
            #expect(!CLI.containsSecret(plan.stdout))
            // An update of an existing section: its section, option, old and new value.
            let update = await CLI.run(["plan", try CLI.playbook(Self.wanMetric), "--json"] + CLI.target(router))
            let metric =
                (try json(update.stdout)["steps"] as? [[String: Any]])?.first?["change_objects"] as? [[String: Any]]
            #expect(metric?.first?["section"] as? String != nil)
            #expect(metric?.first?["option"] as? String == "metric")
            #expect(metric?.first?["new"] as? String == "1")
        }
    }

    @Test func lockOwnerWithoutUser() {
        #expect(LocalState.owner([:]).hasPrefix("root@"))
        #expect(LocalState.owner(["USER": "alice"]).hasPrefix("alice@"))
        // A line break in $USER would shift the lock file's fields.
        #expect(LocalState.owner(["USER": "eve\r\n1\n2"]).hasPrefix("eve??1?2@"))
    }
}

/// `--step`, `--compact`, `--full` through the CLI against the virtual router.
@Suite struct CLIPlanShapeTests {
    @Test func stepSelectsWhatItNeeds() async throws {
        let validate = await CLI.run(["validate", CLI.ocn, "--step", "lan-to-pppoe"])
        #expect(validate.stdout.hasSuffix(": ok (3 steps: wanppp → zone → lan-to-pppoe)\n"), "\(validate.all)")
        let copies = await CLI.run(["validate", CLI.ocn, "--step", "forward", "--var", "forward_ports=443,8443"])
        #expect(copies.stdout.contains("forward-443 → forward-8443"), "\(copies.all)")
        let unknown = await CLI.run(["validate", CLI.ocn, "--step", "zome"])
        #expect(unknown.stderr == "error: --step zome: the playbook has no step 'zome' (did you mean 'zone'?)\n")
        try await withVirtualRouter { router in
            let target = CLI.target(router)
            let apply = await CLI.run(["apply", CLI.ocn, "--yes", "--step", "lan-to-pppoe", "--compact"] + target)
            #expect(apply.code == 0, "\(apply.all)")
            #expect(!apply.stdout.contains("@@"))
            #expect(apply.stdout.contains("Plan: 3 to add"), "\(apply.stdout)")
            #expect(!apply.stdout.contains("ddns"))
            let rest = await CLI.run(["plan", CLI.ocn, "--compact"] + target)
            #expect(rest.code == 2)
            #expect(!rest.stdout.contains("@@"))
            #expect(!rest.stdout.contains("+\tlist network"))
            #expect(rest.stdout.contains("+ server-via-pppoe (network-rule): create"))
            #expect(rest.stdout.contains("Files: "))
            #expect(!rest.stdout.contains("+ wanppp"))
        }
    }

    @Test func longNewFilesShowTheirHeadUnlessFull() async throws {
        let content = (1...60).map { "line \($0)" }.joined(separator: "\\n")
        let path = try CLI.playbook(
            "steps:\n  - id: big\n    file: { path: /etc/big.txt, content: \"\(content)\\n\" }\n")
        let root = try CLI.temporaryDirectory()
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("etc/config"), withIntermediateDirectories: true)
        try "\nconfig zone\n\toption name 'wan'\n\nconfig zone\n\toption name 'lan'\n".write(
            to: root.appendingPathComponent("etc/config/firewall"), atomically: true, encoding: .utf8)
        let short = await CLI.run(["plan", path, "--root", root.path])
        #expect(short.code == 2, "\(short.all)")
        #expect(short.stdout.contains("+line 17"))
        #expect(!short.stdout.contains("+line 40"))
        #expect(short.stdout.contains("more lines: a new file of 471 bytes, sha256 "), "\(short.stdout)")
        let full = await CLI.run(["plan", path, "--root", root.path, "--full"])
        #expect(full.stdout.contains("+line 60"))
        #expect(!full.stdout.contains("more lines"))
    }
}

/// A rollback plan names the run and playbook it undoes, and reads as what it will do now.
@Suite struct CLIRollbackReadingTests {
    @Test func headerAndUndoLines() async throws {
        let state = try CLI.temporaryDirectory()
        try await withVirtualRouter { router in
            let target = CLI.target(router)
            let environment = CLI.environment(state: state)
            let apply = await CLI.run(["apply", CLI.ocn, "--yes"] + target, environment: environment)
            #expect(apply.code == 0, "\(apply.all)")
            let runID = try #require(CLIPendingRunTests.runID(apply))
            let dryRun = await CLI.run(["rollback", "--dry-run"] + target, environment: environment)
            #expect(
                dryRun.stdout.hasPrefix("Rolling back run \(runID) (playbook ocn-dualstack-pppoe, applied "),
                "\(dryRun.stdout)")
            #expect(dryRun.stdout.contains("by tester@"))
            #expect(
                dryRun.stdout.contains(
                    "- pppoe-table (routing-table): delete\n    - /etc/iproute2/rt_tables: line '300\\tpppoe'"))
            #expect(!CLI.containsSecret(dryRun.all))
            // Undoing an option set on an existing section reads as the option going back.
            let metric = await CLI.run(
                ["apply", try CLI.playbook(CLIFurnitureTests.wanMetric), "--yes"] + target, environment: environment)
            #expect(metric.code == 0, "\(metric.all)")
            let undo = await CLI.run(["rollback", "--dry-run"] + target, environment: environment)
            #expect(
                undo.stdout.contains(
                    "~ wan-metric (interface-options): update\n    ~ /etc/config/network: interface 'wan': metric '1' → unset"
                ), "\(undo.stdout)")
        }
    }
}

/// `-v` prints each round trip: what, bytes, time; never contents or secrets.
@Suite struct CLIVerboseTests {
    @Test func roundTripsWithoutPayloads() async throws {
        try await withVirtualRouter { router in
            let target = CLI.target(router)
            let plan = await CLI.run(["plan", CLI.ocn, "-v"] + target)
            let planTrips = plan.stderr.split(separator: "\n").filter { $0.hasPrefix("round trip: ") }
            #expect(planTrips.count == 1, "\(plan.stderr)")
            #expect(planTrips.first?.hasPrefix("round trip: read ") == true)
            #expect(planTrips.first?.hasSuffix(" ms") == true)
            let apply = await CLI.run(["apply", CLI.ocn, "--yes", "--verbose"] + target)
            #expect(apply.code == 0, "\(apply.all)")
            let trips = apply.stderr.split(separator: "\n").filter { $0.hasPrefix("round trip: ") }
            #expect(trips.count == 4, "\(apply.stderr)")
            #expect(trips.contains { $0.hasPrefix("round trip: write ") && $0.contains(", sent ") })
            #expect(trips.contains { $0.hasPrefix("round trip: reload network, firewall") })
            #expect(trips.contains { $0.contains("and confirm run ") && $0.contains("confirmed in ") })
            #expect(!CLI.containsSecret(apply.all))
            let quiet = await CLI.run(["history"] + target)
            #expect(!quiet.stderr.contains("round trip"))
        }
    }
}
