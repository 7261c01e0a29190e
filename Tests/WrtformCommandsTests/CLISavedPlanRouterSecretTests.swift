import Foundation
import Testing
import VirtualRouter

/// A saved plan keeps whole files: secrets the playbook does not manage (a WireGuard key made by
/// hand, a WPA3 password) must be masked in it and their files sealed by HMAC, not plain sha256.
@Suite struct CLISavedPlanRouterSecretTests {
    @Test func secretsThePlaybookDoesNotManageAreNotKept() async throws {
        let state = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: state) }
        let playbook = try CLI.playbook(
            """
            name: wg-mtu
            steps:
              - id: mtu
                uci-option:
                  config: network
                  section: wg0
                  options: { mtu: "1380" }
            """)
        let out = state.appendingPathComponent("wg.plan").path
        try await withVirtualRouter { router in
            let network = router.root.appendingPathComponent("etc/config/network")
            let handMade = """

                config interface 'wg0'
                \toption proto 'wireguard'
                \toption private_key 'Zq9-SECRET-private-key'
                \tlist addresses '10.9.0.1/24'

                config wireguard_wg0
                \toption public_key 'peer-public-key'
                \toption preshared_key 'Zq9-SECRET-preshared'
                \toption allowed_ips '10.9.0.2/32'

                config interface 'l2tp'
                \toption proto 'l2tp'
                \toption username 'Zq9-SECRET-account'
                \toption auth_secret 'Zq9-SECRET-guessable'

                """
            try (try Data(contentsOf: network) + Data(handMade.utf8)).write(to: network)
            let target = CLI.target(router)
            let environment = CLI.environment(state: state)
            let plan = await CLI.run(["plan", playbook, "--out", out] + target, environment: environment)
            #expect(plan.code == 2, "\(plan.all)")
            let text = try String(contentsOfFile: out, encoding: .utf8)
            #expect(!text.contains("SECRET"), "a router secret is in the saved plan")
            let document = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
            let host = (document?["hosts"] as? [[String: Any]])?.first
            let read = host?["read"] as? [String: String]
            #expect(read?["/etc/config/network"]?.hasPrefix("hmac:") == true, "\(read ?? [:])")
            let file = (host?["files"] as? [[String: Any]])?.first { $0["path"] as? String == "/etc/config/network" }
            #expect((file?["content"] as? String)?.contains("option mtu '1380'") == true)
            #expect((file?["content"] as? String)?.contains("option public_key 'peer-public-key'") == true)

            // Still applies exactly.
            let apply = await CLI.run(
                ["apply", "--plan", out, "--yes", "--no-watchdog"] + target, environment: environment)
            #expect(apply.code == 0, "\(apply.all)")
            #expect(!apply.all.contains("SECRET"), "\(apply.all)")
        }
    }
}
