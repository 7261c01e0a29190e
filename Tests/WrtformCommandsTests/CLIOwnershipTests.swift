import Foundation
import Testing
import VirtualRouter

/// Pruning, destroy and state through the CLI, with the OCN playbook, against the virtual router over SSH.
@Suite struct CLIOwnershipTests {
    /// Every regular file under the router's /etc except the run journals.
    func etc(_ router: VirtualRouter) -> [String: Data] {
        var result: [String: Data] = [:]
        let base = router.root.appendingPathComponent("etc")
        guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: [.isRegularFileKey])
        else { return [:] }
        for case let url as URL in walker where !url.path.contains("/etc/wrtform/runs") {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true,
                let data = FileManager.default.contents(atPath: url.path)
            else { continue }
            result[String(url.path.dropFirst(router.root.path.count))] = data
        }
        return result
    }

    /// The OCN playbook without its `forward` step, beside a copy of its templates.
    func ocnWithoutForward() throws -> String {
        let text = try String(contentsOfFile: CLI.ocn, encoding: .utf8)
        let start = try #require(text.range(of: "  - id: forward\n"))
        // Up to the next step: the blank line before it stays.
        let next = try #require(text.range(of: "\n  - id: ", range: start.upperBound..<text.endIndex))
        let path = try CLI.playbook(
            String(text[..<start.lowerBound]) + String(text[text.index(after: next.lowerBound)...]))
        let templates = CLI.repository.appendingPathComponent("Playbooks/templates")
        try FileManager.default.copyItem(
            at: templates,
            to: URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("templates"))
        return path
    }

    @Test func pruneThenDestroyTheOCNPlaybook() async throws {
        let state = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: state) }
        try await withVirtualRouter { router in
            let target = CLI.target(router)
            let environment = CLI.environment(state: state)
            // A router without /etc/sysupgrade.conf: the playbook creates it.
            try FileManager.default.removeItem(at: router.root.appendingPathComponent("etc/sysupgrade.conf"))
            let before = etc(router)
            var outputs: [String] = []

            let apply = await CLI.run(["apply", CLI.ocn, "--yes"] + target, environment: environment)
            outputs.append(apply.all)
            #expect(apply.code == 0, "\(apply.stderr)")
            let applied = etc(router)

            let shown = await CLI.run(["state", "--json"] + target, environment: environment)
            outputs.append(shown.all)
            let document = try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any]
            let playbooks = document?["playbooks"] as? [String: Any]
            let owned = (playbooks?["ocn-dualstack-pppoe"] as? [String: Any])?["steps"] as? [[String: Any]]
            #expect(owned?.count == 12)
            #expect(owned?.first { $0["id"] as? String == "forward-443" }?["created"] as? Bool == true)
            let text = await CLI.run(["state"] + target, environment: environment)
            #expect(text.stdout.contains("forward-443 (redirect): created redirect [src='wan_pppoe' src_dport='443'"))

            let pruned = try ocnWithoutForward()
            let plan = await CLI.run(["plan", pruned] + target, environment: environment)
            outputs.append(plan.all)
            #expect(plan.code == 2)
            #expect(plan.stdout.contains("- forward-443 (redirect): delete\n"))
            #expect(plan.stdout.contains("(no longer in the playbook)"))
            #expect(plan.stdout.contains("-\toption name 'server-443'"))
            #expect(plan.stdout.contains("Plan: 0 to add, 0 to change, 1 to remove."))
            let kept = await CLI.run(["plan", pruned, "--no-prune"] + target, environment: environment)
            #expect(kept.code == 0)
            #expect(kept.stderr.contains("step 'forward-443'") && kept.stderr.contains("left alone (--no-prune)"))

            let applyPruned = await CLI.run(["apply", pruned, "--yes"] + target, environment: environment)
            outputs.append(applyPruned.all)
            #expect(applyPruned.code == 0, "\(applyPruned.stderr)")
            var now = etc(router)
            var expected = applied
            let firewall = String(decoding: applied["/etc/config/firewall"] ?? Data(), as: UTF8.self)
            let redirect = try #require(firewall.range(of: "\nconfig redirect\n\toption src 'wan_pppoe'"))
            let after =
                firewall.range(of: "\nconfig ", range: redirect.upperBound..<firewall.endIndex)?.lowerBound
                ?? firewall.endIndex
            #expect(
                String(decoding: now["/etc/config/firewall"] ?? Data(), as: UTF8.self)
                    == String(firewall[..<redirect.lowerBound]) + String(firewall[after...]))
            for path in ["/etc/config/firewall", "/etc/wrtform/owners.json"] {
                now[path] = nil
                expected[path] = nil
            }
            #expect(now == expected)

            let pruneApplied = etc(router)
            let refused = await CLI.run(["destroy", CLI.ocn] + target, environment: environment)
            #expect(refused.code == 1)
            #expect(refused.stderr.contains("refusing to destroy without --yes"))
            #expect(refused.stdout.contains("(destroying playbook 'ocn-dualstack-pppoe')"))
            #expect(etc(router) == pruneApplied)
            let destroy = await CLI.run(["destroy", CLI.ocn, "--yes"] + target, environment: environment)
            outputs.append(destroy.all)
            #expect(destroy.code == 0, "\(destroy.stderr)")
            #expect(destroy.stdout.contains("(destroying playbook 'ocn-dualstack-pppoe')"))
            #expect(etc(router) == before)
            for path in [
                "/etc/sysupgrade.conf", "/etc/hotplug.d/iface/40-pppoe", "/etc/wrtform/ddns.secret",
                "/etc/wrtform/owners.json",
            ] {
                #expect(
                    !FileManager.default.fileExists(
                        atPath: router.root.appendingPathComponent(String(path.dropFirst())).path), "\(path)")
            }
            let nothing = await CLI.run(["destroy", "ocn-dualstack-pppoe", "--yes"] + target, environment: environment)
            #expect(nothing.code == 1)
            #expect(nothing.stderr.contains("has no ownership record for playbook 'ocn-dualstack-pppoe'"))

            let again = await CLI.run(["plan", CLI.ocn] + target, environment: environment)
            outputs.append(again.all)
            #expect(again.code == 2)
            #expect(again.stdout.contains("Plan: 12 to add, 0 to change, 0 to remove."))
            #expect(!outputs.contains(where: CLI.containsSecret))
        }
    }

    @Test func stateForgetKeepsTheConfig() async throws {
        let state = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: state) }
        try await withVirtualRouter { router in
            let target = CLI.target(router)
            let environment = CLI.environment(state: state)
            #expect(await CLI.run(["apply", CLI.ocn, "--yes"] + target, environment: environment).code == 0)
            let applied = etc(router)
            let refused = await CLI.run(
                ["state", "forget", "ocn-dualstack-pppoe", "forward-443"] + target, environment: environment)
            #expect(refused.code == 1)
            let forget = await CLI.run(
                ["state", "forget", "ocn-dualstack-pppoe", "forward-443", "--yes"] + target, environment: environment)
            #expect(forget.code == 0, "\(forget.stderr)")
            #expect(forget.stdout.contains("Forgot step 'forward-443' of 'ocn-dualstack-pppoe'"))
            var now = etc(router)
            var was = applied
            now["/etc/wrtform/owners.json"] = nil
            was["/etc/wrtform/owners.json"] = nil
            #expect(now == was)
            // No longer owned: a playbook without the step leaves the redirect.
            let plan = await CLI.run(["plan", try ocnWithoutForward()] + target, environment: environment)
            #expect(plan.code == 0)
            let unknown = await CLI.run(["state", "forget", "nope", "--yes"] + target, environment: environment)
            #expect(unknown.code == 1)
            #expect(unknown.stderr.contains("has no playbook 'nope'"))
        }
    }
}
