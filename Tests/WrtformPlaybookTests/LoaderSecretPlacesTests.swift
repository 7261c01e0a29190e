import Foundation
import Testing
import WrtformEngine
import WrtformPlaybook

/// A secret goes into option values and file contents only. In a position that names or finds
/// something it would be kept in journals and printed by `history` and `rollback`, which load no
/// playbook to mask it: refused at load, with file:line:column, by `validate` too.
@Suite struct LoaderSecretPlacesTests {
    static let head = "secrets:\n  s: { env: S }\nsteps:\n  - id: x\n"
    static let environment = ["S": "secret-S3cr3t-value"]

    static let refused: [(yaml: String, message: String)] = [
        (
            "    uci-section: { config: firewall, type: rule, name: \"{{ s }}\", options: { a: b } }\n",
            "ocn.yml:5:57: uci-section step 'x': name cannot hold a secret"
        ),
        (
            "    uci-section: { config: firewall, type: rule, match: { name: \"{{ s }}\" }, options: { a: b } }\n",
            "ocn.yml:5:66: uci-section step 'x': match cannot hold a secret"
        ),
        (
            "    file: { path: \"/etc/{{ s }}\", content: x }\n",
            "ocn.yml:5:20: file step 'x': path cannot hold a secret"
        ),
        (
            "    routing-table: { name: \"{{ s }}\", number: 300 }\n",
            "ocn.yml:5:29: routing-table step 'x': name cannot hold a secret"
        ),
        (
            "    sysupgrade-keep: { paths: [\"/etc/{{ s }}\"] }\n",
            "ocn.yml:5:33: sysupgrade-keep step 'x': paths cannot hold a secret"
        ),
        (
            "    interface: { name: \"{{ s }}\", proto: static }\n",
            "ocn.yml:5:25: interface step 'x': name cannot hold a secret"
        ),
        (
            "    redirect: { name: fwd, src: wan, dest: lan, dest_ip: \"{{ s }}\", src_dport: 80 }\n",
            "ocn.yml:5:59: redirect step 'x': dest_ip cannot hold a secret"
        ),
        (
            "    network-rule: { src: \"{{ s }}\", lookup: main, priority: 100 }\n",
            "ocn.yml:5:27: network-rule step 'x': src cannot hold a secret"
        ),
    ]

    @Test(arguments: 0..<refused.count)
    func secretsInIdentifyingPlacesAreRefused(_ index: Int) throws {
        let (yaml, message) = Self.refused[index]
        for secrets in [SecretResolution.resolve(environment: Self.environment, prompter: nil), .placeholders] {
            let error = try Loader.error(Self.head + yaml, secrets: secrets)
            #expect(error.description.hasPrefix(message), "\(error.description)")
            #expect(!error.description.contains("S3cr3t"))
        }
    }

    @Test func secretsInOptionValuesAndContentsLoad() throws {
        for yaml in [
            "    interface: { name: wanppp, proto: pppoe, password: \"{{ s }}\" }\n",
            "    uci-section: { config: ddns, type: service, name: x, options: { password: \"{{ s }}\" } }\n",
            "    file: { path: /etc/x.secret, content: \"{{ s }}\", mode: \"0600\" }\n",
        ] {
            let playbook = try Loader.load(
                Self.head + yaml, secrets: .resolve(environment: Self.environment, prompter: nil))
            #expect(playbook.secretValues == ["secret-S3cr3t-value"])
        }
    }
}
