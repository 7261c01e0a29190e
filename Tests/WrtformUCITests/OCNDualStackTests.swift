import Testing

@testable import WrtformUCI

/// The OCN dual-stack setup: MAP-E (IPoE) stays the default route, a PPPoE session carries a published server's
/// traffic (port 443 forwarded in through the PPPoE address, answered through it by policy routing).
/// The edits below, applied to the MAP-E router's files, must give exactly the reviewed result fixtures.
@Suite("OCN dual-stack result")
struct OCNDualStackTests {
    static func network(_ base: UCIFile) throws -> UCIFile {
        var file = base
        try file.addSection(
            type: "interface", name: "wanppp",
            options: [
                UCIOption("proto", "pppoe"),
                UCIOption("device", "wan"),
                UCIOption("username", "user@one.ocn.ne.jp"),
                UCIOption("password", "example-pppoe-secret"),
                UCIOption("ipv6", "0"),
                UCIOption("mtu", "1454"),
                UCIOption("peerdns", "0"),
                UCIOption("ip4table", "pppoe"),
            ])
        try file.addSection(
            type: "rule", name: nil,
            options: [
                UCIOption("in", "lan"),
                UCIOption("src", "192.168.1.10/32"),
                UCIOption("lookup", "pppoe"),
                UCIOption("priority", "100"),
            ])
        return file
    }

    static func firewall(_ base: UCIFile) throws -> UCIFile {
        var file = base
        let wan = try #require(file.sections(ofType: "zone", matching: ["name": "wan"]).first)
        try file.set("network", to: ["wan", "wan6", "wanmap"], in: wan.id)
        try file.addSection(
            type: "zone", name: nil,
            options: [
                UCIOption("name", "wan_pppoe"),
                UCIOption("network", ["wanppp"]),
                UCIOption("input", "REJECT"),
                UCIOption("output", "ACCEPT"),
                UCIOption("forward", "REJECT"),
                UCIOption("masq", "1"),
                UCIOption("mtu_fix", "1"),
            ], at: wan.index + 1)
        let forwarding = try #require(file.section(at: "@forwarding[-1]"))
        try file.addSection(
            type: "forwarding", name: nil,
            options: [
                UCIOption("src", "lan"),
                UCIOption("dest", "wan_pppoe"),
            ], at: forwarding.index + 1)
        try file.addSection(
            type: "redirect", name: nil,
            options: [
                UCIOption("name", "HTTPS-via-PPPoE"),
                UCIOption("src", "wan_pppoe"),
                UCIOption("src_dport", "443"),
                UCIOption("dest", "lan"),
                UCIOption("dest_ip", "192.168.1.10"),
                UCIOption("dest_port", "443"),
                UCIOption("proto", ["tcp"]),
                UCIOption("target", "DNAT"),
            ])
        return file
    }

    @Test func networkMatchesTheReviewedResult() throws {
        let result = try Self.network(Fixtures.file("network-mape-jp"))
        #expect(Array(result.text.utf8) == Array(try Fixtures.text("ocn-dualstack-network").utf8))
        let ppp = try #require(result.section(named: "wanppp"))
        #expect(ppp["proto"] == .single("pppoe"))
        #expect(ppp.index == result.sections.count - 2)
        #expect(result.section(at: "@rule[0]")?["src"] == .single("192.168.1.10/32"))
        // The MAP-E interface is untouched, byte for byte.
        let base = try Fixtures.file("network-mape-jp")
        #expect(
            result.text(of: result.section(named: "wanmap")!.id) == base.text(of: base.section(named: "wanmap")!.id))
    }

    @Test func firewallMatchesTheReviewedResult() throws {
        let base = try Fixtures.file("firewall-24.10-stock")
        let result = try Self.firewall(base)
        #expect(Array(result.text.utf8) == Array(try Fixtures.text("ocn-dualstack-firewall").utf8))
        let zones = result.sections(ofType: "zone")
        #expect(zones.map { $0["name"] } == [.single("lan"), .single("wan"), .single("wan_pppoe")])
        #expect(result.sections(ofType: "forwarding").map { $0["dest"] } == [.single("wan"), .single("wan_pppoe")])
        #expect(result.sections.last?.type == "redirect")
        // Every stock rule is still there in the same order with the same text.
        let baseRules = base.sections(ofType: "rule")
        let rules = result.sections(ofType: "rule")
        #expect(rules.map(SectionContent.init) == baseRules.map(SectionContent.init))
        for (old, new) in zip(baseRules, rules) {
            #expect(base.text(of: old.id) == result.text(of: new.id))
        }
    }

    @Test func theDiffShowsThePasswordLineButNotThePassword() throws {
        let base = try Fixtures.file("network-mape-jp")
        let result = try Self.network(base)
        let diff = UnifiedDiff.make(old: base.text, new: result.text, path: "/etc/config/network")
        #expect(diff.contains("+\toption password '(secret)'\n"))
        #expect(!diff.contains("example-pppoe-secret"))
        #expect(diff.contains("+\toption username 'user@one.ocn.ne.jp'\n"))
    }
}
