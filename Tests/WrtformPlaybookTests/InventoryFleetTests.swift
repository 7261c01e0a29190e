import Testing
import WrtformEngine
import WrtformPlaybook

/// The fleet inventory: top-level vars, groups, host vars; selection by --limit; shards.
@Suite struct InventoryFleetTests {
    static let fleet = """
        vars: { lan_zone: lan, server_ip: 0.0.0.0 }
        groups:
          home: { hosts: [main, parents], vars: { wan_device: wan, server_ip: 1.1.1.1 } }
          aps: { hosts: [ap-1, ap-2, parents], vars: { wan_device: lan2 } }
        hosts:
          main:    { host: 192.168.1.1, vars: { server_ip: 192.168.1.5 } }
          parents: { host: 10.0.0.1, port: 2222, user: root }
          ap-1: { host: 10.0.1.1 }
          ap-2: { host: 10.0.1.2 }
          office: { host: 10.9.0.1 }
        """

    func load(_ yaml: String) throws -> Inventory {
        let directory = try LoaderDirectory()
        defer { directory.remove() }
        return try Inventory.load(path: directory.write("hosts.yml", yaml))
    }

    func error(_ yaml: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> EngineError {
        try #require(throws: EngineError.self, sourceLocation: sourceLocation) { try load(yaml) }
    }

    func values(_ inventory: Inventory, _ name: String) throws -> [String: String] {
        let host = try inventory.host(named: name)
        return Dictionary(uniqueKeysWithValues: inventory.variables(for: host).map { ($0.name, $0.value) })
    }

    @Test func precedenceInventoryThenGroupsInOrderThenHost() throws {
        let inventory = try load(Self.fleet)
        #expect(inventory.groups.map(\.name) == ["home", "aps"])
        // Host vars beat group vars, which beat inventory vars.
        #expect(try values(inventory, "main") == ["lan_zone": "lan", "server_ip": "192.168.1.5", "wan_device": "wan"])
        // In two groups: the later-listed group wins.
        #expect(try values(inventory, "parents") == ["lan_zone": "lan", "server_ip": "1.1.1.1", "wan_device": "lan2"])
        #expect(try values(inventory, "office") == ["lan_zone": "lan", "server_ip": "0.0.0.0"])
    }

    @Test func theOldFormStillLoads() throws {
        let inventory = try Inventory.load(path: LoaderPaths.fixture("inventory.yml"))
        #expect(inventory.groups.isEmpty)
        #expect(inventory.vars.isEmpty)
        #expect(inventory.variables(for: try inventory.host(named: "home")).isEmpty)
    }

    @Test func shapeErrorsAreLocated() throws {
        let noHost = try error("hosts:\n  a: { host: h }\ngroups:\n  g: { hosts: [b] }\n").description
        #expect(noHost == "hosts.yml:4:16: group 'g' names no host 'b' (did you mean 'a'?)")
        let clash = try error("hosts:\n  a: { host: h }\ngroups:\n  a: { hosts: [a] }\n").description
        #expect(clash.hasPrefix("hosts.yml:4:3: group 'a' has the name of a host"))
        let key = try error("hosts:\n  a: { host: h }\nvariables: {}\n").description
        #expect(
            key == "hosts.yml:3:1: unknown key 'variables' in the inventory (known keys: hosts, groups, vars, secrets)")
        let list = try error("hosts:\n  a: { host: h, vars: { x: [1] } }\n").description
        #expect(list == "hosts.yml:2:28: variable 'x' of host 'a' must be a single value")
    }

    @Test func limitSelectsNamesGroupsAndGlobs() throws {
        let inventory = try load(Self.fleet)
        func names(_ limit: String?) throws -> [String] {
            try InventorySelection.select(inventory, limit: limit).map(\.name)
        }
        #expect(try names(nil) == ["main", "parents", "ap-1", "ap-2", "office"])
        #expect(try names("office") == ["office"])
        #expect(try names("home") == ["main", "parents"])
        #expect(try names("home,ap-*") == ["main", "parents", "ap-1", "ap-2"])
        #expect(try names("ap-[!1]") == ["ap-2"])
        #expect(try names("?ffice, main") == ["main", "office"])
        let none = try #require(throws: EngineError.self) { try InventorySelection.select(inventory, limit: "lab*") }
        #expect(
            none.description.hasSuffix(
                "selects no host of the inventory \(inventory.path) (hosts: main, parents, ap-1, ap-2, office; groups: home, aps)"
            ))
    }

    @Test func shardsPartitionEveryHostExactlyOnce() throws {
        let hosts = (0..<200).map { Inventory.Host(name: "cpe-\($0)", host: "10.0.0.\($0 % 250)") }
        for count in [1, 2, 3, 7] {
            var seen: [String] = []
            for index in 1...count {
                let shard = InventorySelection.shard(hosts, index: index, count: count)
                if count > 1 { #expect(shard.count < hosts.count) }
                seen += shard.map(\.name)
            }
            #expect(seen.sorted() == hosts.map(\.name).sorted())
        }
        // Stable: FNV-1a of the name (published test vectors), the same in every process and on every machine.
        #expect(InventorySelection.fnv1a("") == 0xcbf2_9ce4_8422_2325)
        #expect(InventorySelection.fnv1a("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(InventorySelection.fnv1a("foobar") == 0x8594_4171_f739_67e8)
        #expect(InventorySelection.bucket(of: "a", count: 7) == Int(0xaf63_dc4c_8601_ec8c % UInt64(7)))
        #expect(try InventorySelection.parseShard("2/4") == (2, 4))
        for bad in ["0/4", "5/4", "1/0", "x", "1/2/3"] {
            #expect(throws: EngineError.self) { try InventorySelection.parseShard(bad) }
        }
    }
}

/// Inventory vars reach the playbook: playbook vars < inventory (merged) < --var; unknown names located.
@Suite struct InventoryVarsLoaderTests {
    static let playbook = "vars:\n  server_ip: 192.168.1.2\n  lan_zone: lan\n  wan_device: wan\nsteps: []\n"

    func load(inventory: String, host: String, overrides: [String: String] = [:]) throws -> Playbook {
        let directory = try LoaderDirectory()
        defer { directory.remove() }
        let inventoryPath = try directory.write("hosts.yml", inventory)
        let playbookPath = try directory.write("ocn.yml", Self.playbook)
        let loaded = try Inventory.load(path: inventoryPath)
        return try PlaybookLoader().load(
            path: playbookPath, overrides: overrides, secrets: .placeholders,
            inventoryVars: loaded.variables(for: try loaded.host(named: host)))
    }

    @Test func precedence() throws {
        let playbook = try load(inventory: InventoryFleetTests.fleet, host: "main")
        #expect(playbook.scalar("server_ip") == "192.168.1.5")
        #expect(playbook.scalar("wan_device") == "wan")
        let office = try load(inventory: InventoryFleetTests.fleet, host: "office")
        #expect(office.scalar("server_ip") == "0.0.0.0")
        #expect(office.scalar("wan_device") == "wan")
        let forced = try load(inventory: InventoryFleetTests.fleet, host: "main", overrides: ["server_ip": "9.9.9.9"])
        #expect(forced.scalar("server_ip") == "9.9.9.9")
    }

    @Test func unknownNameIsReportedInTheInventory() throws {
        let error = try #require(throws: EngineError.self) {
            try load(inventory: "hosts:\n  a:\n    host: h\n    vars:\n      server_iq: 1.2.3.4\n", host: "a")
        }
        #expect(
            error.description == "hosts.yml:5:7: the playbook has no variable 'server_iq' (did you mean 'server_ip'?)")
    }
}
