import Foundation
import Testing
import VirtualRouter

/// `rollback --dry-run` with an option changed by hand since the run: the undo diff with the
/// conflict marked in place, exit 1; `--json` carries the conflicts as objects; a real rollback
/// still refuses, and --force overwrites.
@Suite struct CLIRollbackConflictTests {
    static func forward(port: Int, metric: Bool) -> String {
        """
        name: web
        steps:
          - id: forward
            redirect: { name: web, src: wan, src_dport: 8080, dest_ip: 192.168.1.20, dest_port: \(port) }
        """ + (metric ? "\n  - id: wan-metric\n    interface-options: { name: wan, metric: 1 }\n" : "\n")
    }

    /// How plans name the redirect: by the options that identify it.
    static let redirect = "redirect [src='wan' src_dport='8080' family~'ipv4' proto~['tcp']]"

    @Test func dryRunMarksTheConflictInsideTheDiff() async throws {
        let state = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: state) }
        try await withVirtualRouter { router in
            let target = CLI.target(router)
            let environment = CLI.environment(state: state)
            let first = await CLI.run(
                ["apply", try CLI.playbook(Self.forward(port: 80, metric: false)), "--yes"] + target,
                environment: environment)
            #expect(first.code == 0, "\(first.all)")
            let second = await CLI.run(
                ["apply", try CLI.playbook(Self.forward(port: 81, metric: true)), "--yes"] + target,
                environment: environment)
            #expect(second.code == 0, "\(second.all)")
            let runID = try #require(CLIJournalTrustTests.runID(second.stdout), "\(second.all)")
            // By hand on the router, after the run.
            let firewall = router.root.appendingPathComponent("etc/config/firewall")
            let network = router.root.appendingPathComponent("etc/config/network")
            let edited = try String(contentsOf: firewall, encoding: .utf8)
            #expect(edited.contains("option dest_port '81'"), "\(edited)")
            try edited.replacingOccurrences(of: "option dest_port '81'", with: "option dest_port '8443'")
                .write(to: firewall, atomically: true, encoding: .utf8)
            let before = try [firewall, network].map { try Data(contentsOf: $0) }

            let dryRun = await CLI.run(["rollback", "--dry-run"] + target, environment: environment)
            #expect(dryRun.code == 1, "\(dryRun.all)")
            #expect(
                dryRun.stdout.contains(
                    "= forward (redirect): no-op\n    ! /etc/config/firewall: \(Self.redirect) dest_port was changed "
                        + "after run \(runID) (now '8443'); "
                        + "rollback keeps it — use --force to overwrite"), "\(dryRun.stdout)")
            // What does not conflict is still shown, as its step and in the diff.
            #expect(
                dryRun.stdout.contains("~ /etc/config/network: interface 'wan': metric '1' → unset"),
                "\(dryRun.stdout)")
            #expect(dryRun.stdout.contains("-\toption metric '1'"), "\(dryRun.stdout)")
            #expect(!dryRun.stdout.contains("dest_port '81'"))
            #expect(
                dryRun.stderr.hasPrefix(
                    "error: run \(runID) cannot be rolled back cleanly: 1 conflict (marked ! above)"),
                "\(dryRun.stderr)")
            #expect(dryRun.stderr.contains("pass --force to restore the run's old values anyway"))

            let json = await CLI.run(["rollback", "--dry-run", "--json"] + target, environment: environment)
            #expect(json.code == 1, "\(json.all)")
            let document = try #require(
                try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], "\(json.stdout)")
            #expect(document["status"] as? String == "conflict")
            #expect(document["wrtform_version"] is String)
            #expect((document["error"] as? [String: Any])?["kind"] as? String == "conflict")
            let conflicts = try #require(document["conflicts"] as? [[String: Any]])
            #expect(conflicts.count == 1)
            #expect(conflicts.first?["file"] as? String == "/etc/config/firewall")
            #expect(conflicts.first?["section"] as? String == Self.redirect)
            #expect(conflicts.first?["option"] as? String == "dest_port")
            #expect(conflicts.first?["expected"] as? String == "81")
            #expect(conflicts.first?["found"] as? String == "8443")
            #expect(conflicts.first?["reason"] as? String == "option-changed")
            #expect(conflicts.first?["step"] as? String == "forward")
            let steps = document["steps"] as? [[String: Any]]
            #expect(steps?.contains { ($0["changes"] as? [String])?.contains { $0.hasPrefix("! ") } == true } == false)
            #expect(json.stderr.isEmpty, "\(json.stderr)")

            // Without --dry-run: refused as before, nothing written.
            let refused = await CLI.run(["rollback", "--yes"] + target, environment: environment)
            #expect(refused.code == 1)
            #expect(refused.stderr.contains("cannot be rolled back cleanly: step 'forward': /etc/config/firewall"))
            #expect(try [firewall, network].map { try Data(contentsOf: $0) } == before)

            // --force: no conflict left; the run's old value comes back.
            let forced = await CLI.run(["rollback", "--dry-run", "--force"] + target, environment: environment)
            #expect(forced.code == 0, "\(forced.all)")
            #expect(!forced.stdout.contains("    ! "))
            #expect(forced.stdout.contains("+\toption dest_port '80'"), "\(forced.stdout)")
            #expect(try [firewall, network].map { try Data(contentsOf: $0) } == before)
        }
    }
}
