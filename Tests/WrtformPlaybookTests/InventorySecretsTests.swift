import Foundation
import Testing
import WrtformEngine
import WrtformPlaybook

/// An inventory names, per host (or group, or for all), the environment variable a playbook secret comes
/// from: the host's beats its groups', which beat the inventory's; unknown names are located.
@Suite struct InventorySecretsTests {
    static let playbook = #"""
        vars: { server_ip: 192.168.1.2 }
        secrets:
          pw: { env: WRTFORM_PPPOE_PASSWORD }
        steps:
          - id: wanppp
            interface: { name: wanppp, proto: pppoe, device: wan, username: u, password: "{{ pw }}" }
        """#

    static let inventory = """
        secrets: { pw: { env: ALL_PW } }
        groups:
          home: { hosts: [main, parents], secrets: { pw: { env: HOME_PW } } }
        hosts:
          main: { host: 10.0.0.1, secrets: { pw: { env: MAIN_PW } } }
          parents: { host: 10.0.0.2 }
          office: { host: 10.0.0.3 }
        """

    func load(
        _ inventoryText: String = Self.inventory, host: String, environment: [String: String] = [:]
    ) throws -> Playbook {
        let directory = try LoaderDirectory()
        defer { directory.remove() }
        let inventory = try Inventory.load(path: try directory.write("hosts.yml", inventoryText))
        let entry = try inventory.host(named: host)
        return try PlaybookLoader().load(
            path: try directory.write("ocn.yml", Self.playbook),
            secrets: .resolve(environment: environment, prompter: nil),
            inventoryVars: inventory.variables(for: entry), inventorySecrets: inventory.secrets(for: entry))
    }

    @Test func hostThenGroupThenInventory() throws {
        let environment = [
            "WRTFORM_PPPOE_PASSWORD": "default-pw", "ALL_PW": "all-pw", "HOME_PW": "home-pw", "MAIN_PW": "main-pw",
        ]
        #expect(try load(host: "main", environment: environment).secretValues == ["main-pw"])
        #expect(try load(host: "parents", environment: environment).secretValues == ["home-pw"])
        #expect(try load(host: "office", environment: environment).secretValues == ["all-pw"])
        // Without the inventory's entries, the playbook's own variable.
        let plain = try load("hosts:\n  a: { host: h }\n", host: "a", environment: environment)
        #expect(plain.secretValues == ["default-pw"])
    }

    @Test func aMissingVariableIsReportedWhereTheInventoryNamedIt() throws {
        let error = try #require(throws: EngineError.self) {
            try load(host: "main", environment: ["WRTFORM_PPPOE_PASSWORD": "default-pw", "HOME_PW": "x"])
        }
        #expect(
            error.description.hasPrefix(
                "hosts.yml:5:38: secret 'pw' needs the environment variable MAIN_PW, which is not set"), "\(error)")
        #expect(!error.description.contains("default-pw"))
    }

    @Test func namesAndShapesAreChecked() throws {
        func failure(_ text: String) throws -> String {
            try #require(throws: EngineError.self) { try load(text, host: "a") }.description
        }
        #expect(
            try failure("hosts:\n  a: { host: h, secrets: { pv: { env: X } } }\n")
                == "hosts.yml:2:28: the playbook has no secret 'pv' (did you mean 'pw'?)")
        #expect(
            try failure("hosts:\n  a: { host: h, secrets: { server_ip: { env: X } } }\n")
                .hasPrefix("hosts.yml:2:28: 'server_ip' is a variable of the playbook, not a secret"))
        #expect(
            try failure("hosts:\n  a: { host: h, secrets: { pw: { file: pw.txt } } }\n")
                .hasPrefix("hosts.yml:2:34: secret 'pw' of host 'a' can only come from env: in an inventory"))
        #expect(
            try failure("hosts:\n  a: { host: h, secrets: { pw: { env: 1PW } } }\n")
                .hasPrefix("hosts.yml:2:39: '1PW' is not an environment variable name"))
        #expect(
            try failure("hosts:\n  a: { host: h, secrets: { pw: hunter2 } }\n")
                .hasPrefix("hosts.yml:2:32: secret 'pw' of host 'a' must be { env: VARIABLE }"))
        #expect(
            try failure("groups:\n  g: { hosts: [a], secrets: { pw: { env: A B } } }\nhosts:\n  a: { host: h }\n")
                .contains("'A B' is not an environment variable name"))
    }
}
