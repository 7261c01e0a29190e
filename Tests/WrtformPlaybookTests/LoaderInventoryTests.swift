import Testing
import WrtformEngine
import WrtformPlaybook

/// `--inventory FILE --limit NAME`: routers by name.
@Suite struct LoaderInventoryTests {
    func inventoryError(_ yaml: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> EngineError
    {
        let directory = try LoaderDirectory()
        defer { directory.remove() }
        let path = try directory.write("hosts.yml", yaml)
        return try #require(throws: EngineError.self, sourceLocation: sourceLocation) { try Inventory.load(path: path) }
    }

    @Test func loadsTheFixture() throws {
        let inventory = try Inventory.load(path: LoaderPaths.fixture("inventory.yml"))
        #expect(inventory.hosts.map(\.name) == ["home", "lab"])
        let home = try inventory.host(named: "home")
        #expect(home.host == "192.168.1.1")
        #expect(home.port == 22)
        #expect(home.user == "root")
        #expect(home.identity == "~/.ssh/id_ed25519")
        #expect(home.knownHosts == "~/.config/wrtform/known_hosts")
        let lab = try inventory.host(named: "lab")
        #expect(lab.host == "127.0.0.1")
        #expect(lab.port == 2222)
        #expect(lab.user == nil)
        #expect(lab.identity == nil)
    }

    @Test func unknownHostSuggestsTheNearest() throws {
        let inventory = try Inventory.load(path: LoaderPaths.fixture("inventory.yml"))
        let near = try #require(throws: EngineError.self) { try inventory.host(named: "hom") }
        #expect(
            near.description
                == "the inventory \(LoaderPaths.fixture("inventory.yml")) has no host 'hom' (did you mean 'home'?)")
        #expect(near.kind == .notFound)
        let far = try #require(throws: EngineError.self) { try inventory.host(named: "office") }
        #expect(
            far.description
                == "the inventory \(LoaderPaths.fixture("inventory.yml")) has no host 'office' (hosts: home, lab)")
    }

    @Test func badPort() throws {
        let high = try inventoryError("hosts:\n  home:\n    host: 192.168.1.1\n    port: 70000\n")
        #expect(high.description == "hosts.yml:4:11: port 70000 is out of range (1-65535)")
        let word = try inventoryError("hosts:\n  home:\n    host: 192.168.1.1\n    port: ssh\n")
        #expect(word.description == "hosts.yml:4:11: port ssh is out of range (1-65535)")
    }

    /// A bad value is reported where the inventory holds it, not later as a puzzling connection error.
    @Test func badValuesAreLocatedInTheInventory() throws {
        let spaced = try inventoryError("hosts:\n  home:\n    host: \"192.168.1.1 -oProxyCommand=x\"\n")
        #expect(spaced.description == "hosts.yml:3:12: host of host 'home' cannot contain spaces")
        let user = try inventoryError("hosts:\n  home:\n    host: 192.168.1.1\n    user: root@evil\n")
        #expect(user.description == "hosts.yml:4:11: user of host 'home' cannot contain spaces, '@' or ':'")
        let control = try inventoryError("hosts:\n  home:\n    host: 192.168.1.1\n    identity: \"~/.ssh/id\\e[2J\"\n")
        #expect(control.description == "hosts.yml:4:16: identity of host 'home' cannot contain a control character")
    }

    @Test func shapeErrors() throws {
        let unknownKey = try inventoryError("hosts:\n  home:\n    host: 192.168.1.1\n    username: root\n")
        #expect(
            unknownKey.description
                == "hosts.yml:4:5: unknown key 'username' for host 'home' (known keys: host, port, user, identity, known_hosts, vars, secrets)"
        )
        let nearKey = try inventoryError("hosts:\n  home:\n    host: 192.168.1.1\n    prot: 22\n")
        #expect(nearKey.description == "hosts.yml:4:5: unknown key 'prot' for host 'home' (did you mean 'port'?)")
        let noAddress = try inventoryError("hosts:\n  home:\n    user: root\n")
        #expect(noAddress.description == "hosts.yml:3:5: host 'home' has no host: address")
        let noHosts = try inventoryError("routers:\n  home: { host: 192.168.1.1 }\n")
        #expect(noHosts.description == "hosts.yml:1:1: the inventory has no hosts: mapping")
        let scalarHost = try inventoryError("hosts:\n  home: 192.168.1.1\n")
        #expect(scalarHost.description == "hosts.yml:2:9: host 'home' must be a mapping with host:")
        let list = try inventoryError("- home\n")
        #expect(list.description == "hosts.yml:1:1: an inventory is a mapping with hosts:")
        let syntax = try inventoryError("hosts:\n  home: { host: 192.168.1.1\n")
        #expect(syntax.description.hasPrefix("hosts.yml:3:1: YAML syntax: "))
        let missing = try #require(throws: EngineError.self) {
            try Inventory.load(path: "/nonexistent/wrtform/hosts.yml")
        }
        #expect(
            missing.description == "cannot read inventory /nonexistent/wrtform/hosts.yml: no such file (check the path)"
        )
    }
}
