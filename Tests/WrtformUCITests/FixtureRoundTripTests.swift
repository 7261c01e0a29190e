import Testing

@testable import WrtformUCI

@Suite("Fixtures: parse then serialize gives the same bytes")
struct FixtureRoundTripTests {
    @Test func allExpectedFixturesArePresent() {
        #expect(
            Set(Fixtures.names).isSuperset(of: [
                "firewall-24.10-stock", "network-24.10-stock", "luci-firewall", "network-mape-jp",
                "odd-quoting", "odd-crlf", "ocn-dualstack-network", "ocn-dualstack-firewall",
            ]))
    }

    @Test(arguments: Fixtures.names)
    func roundTripIsByteForByte(name: String) throws {
        let text = try Fixtures.text(name)
        let file = try UCIFile(parsing: text, path: "/etc/config/\(name)")
        #expect(Array(file.text.utf8) == Array(text.utf8))
        #expect(!file.sections.isEmpty)
        let again = try UCIFile(parsing: file.text)
        #expect(contents(again) == contents(file))
        // Every section's text is made of pieces of the file, in order and without overlap.
        let bytes = Array(text.utf8)
        var covered = 0
        for section in file.sections {
            let ranges = file.byteRanges(of: section.id)
            #expect(!ranges.isEmpty)
            let joined = ranges.flatMap { bytes[$0] }
            #expect(Array(try #require(file.text(of: section.id)).utf8) == joined)
            #expect(ranges.allSatisfy { $0.lowerBound >= 0 && $0.upperBound <= bytes.count })
            covered += ranges.map(\.count).reduce(0, +)
        }
        #expect(covered <= bytes.count)
    }

    @Test func stockFirewallAsFirewall4ShipsIt() throws {
        let file = try Fixtures.file("firewall-24.10-stock")
        #expect(
            file.sections.map(\.type) == ["defaults", "zone", "zone", "forwarding"] + Array(repeating: "rule", count: 9)
        )
        let defaults = try #require(file.section(at: "@defaults[0]"))
        #expect(
            defaults.options == [
                UCIOption("syn_flood", "1"), UCIOption("input", "REJECT"),
                UCIOption("output", "ACCEPT"), UCIOption("forward", "REJECT"),
            ])
        let wan = try #require(file.sections(ofType: "zone", matching: ["name": "wan"]).first)
        #expect(wan["network"] == .list(["wan", "wan6"]))
        #expect(wan.uciName == "cfg03dc81")
        let mld = try #require(file.sections(ofType: "rule", matching: ["name": "Allow-MLD"]).first)
        #expect(mld["icmp_type"] == .list(["130/0", "131/0", "132/0", "143/0"]))
        #expect(mld["src_ip"] == .single("fe80::/10"))
        // The commented-out examples at the end are comments, not sections.
        #expect(file.section(at: "@redirect[0]") == nil)
        #expect(file.section(at: "@rule[-1]")?["name"] == .single("Allow-ISAKMP"))
    }

    @Test func stockNetworkNamesAnonymousDeviceLikeUci() throws {
        let file = try Fixtures.file("network-24.10-stock")
        let device = try #require(file.section(at: "@device[0]"))
        #expect(device.isAnonymous)
        #expect(device.uciName == "cfg030f15")
        #expect(file.section(at: "cfg030f15")?.id == device.id)
        #expect(device["ports"] == .list(["lan1", "lan2", "lan3"]))
        #expect(file.section(named: "lan")?["ipaddr"] == .single("192.168.1.1"))
        #expect(file.text.hasPrefix("\nconfig interface 'loopback'\n"))
    }

    @Test func luciNormalizedFirewall() throws {
        let file = try Fixtures.file("luci-firewall")
        let block = try #require(file.section(named: "cfg1e92bd"))
        #expect(!block.isAnonymous)
        #expect(block["src_mac"] == .single("00:11:22:33:44:55"))
        let nas = try #require(
            file.sections(ofType: "redirect", matching: ["name": "NAS-HTTPS", "proto": "tcp"]).first)
        #expect(nas.isAnonymous)
        #expect(nas.uciName == "cfg083837")
        #expect(nas["proto"] == .list(["tcp"]))
        #expect(file.section(named: "cfg2f01a7")?["proto"] == .list(["tcp", "udp"]))
        #expect(file.section(named: "user")?.type == "include")
    }

    @Test func japaneseMapE() throws {
        let file = try Fixtures.file("network-mape-jp")
        let map = try #require(file.section(named: "wanmap"))
        #expect(map["proto"] == .single("map"))
        #expect(map["maptype"] == .single("map-e"))
        #expect(map["tunlink"] == .single("wan6"))
        #expect(map["peeraddr"] == .single("2001:380:a120::9"))
        #expect(map["ipaddr"] == .single("153.240.0.0"))
        #expect(map["ip4prefixlen"] == .single("20"))
        #expect(map["ip6prefix"] == .single("2400:4050::"))
        #expect(map["ip6prefixlen"] == .single("30"))
        #expect(map["ealen"] == .single("26"))
        #expect(map["psidlen"] == .single("6"))
        #expect(map["offset"] == .single("4"))
        #expect(file.section(named: "lan")?["ip6class"] == .list(["wan6"]))
        #expect(file.text(of: map.id)?.hasPrefix("# MAP-E rule from the ISP") == true)
    }

    @Test func oddQuotingReadsAsUciReadsIt() throws {
        let file = try Fixtures.file("odd-quoting")
        let defaults = try #require(file.section(at: "@defaults[0]"))
        #expect(
            defaults.options == [
                UCIOption("input", "REJECT"), UCIOption("output", "ACCEPT"),
                UCIOption("forward", "REJECT"), UCIOption("syn_flood", "1"),
                UCIOption("custom_chains", "1"),
            ])
        // 'lan' is declared twice with the same type: one section, options merged, first position kept.
        let lan = try #require(file.section(named: "lan"))
        #expect(file.sections(ofType: "zone").count == 1)
        #expect(lan.index == 1)
        #expect(
            lan.options == [
                UCIOption("name", "lan"), UCIOption("network", ["lan", "guest"]),
                UCIOption("input", "ACCEPT"), UCIOption("output", "ACCEPT"),
                UCIOption("forward", "ACCEPT"), UCIOption("device", ["br-lan"]),
                UCIOption("mtu_fix", "1"),
            ])
        let rule = try #require(file.section(at: "@rule[0]"))
        #expect(rule["name"] == .single("It's \"quoted\""))
        #expect(rule["dest_port"] == .single("2222"))
        #expect(rule["description"] == .single("first line\nsecond line # still the value"))
        #expect(rule["tab"] == .single("atb"))
        #expect(rule["hash"] == .single("# not a comment"))
        #expect(rule["semi"] == .single("a;b"))
        #expect(rule["empty"] == nil)
        #expect(rule["target"] == .single("ACCEPT"))
        #expect(file.sections.last?.type == "include")
        #expect(file.text(of: lan.id)?.contains("option mtu_fix 1") == true)
    }

    @Test func crlfFile() throws {
        let file = try Fixtures.file("odd-crlf")
        let lan = try #require(file.section(named: "lan"))
        #expect(lan["proto"] == .single("static"))
        #expect(lan["netmask"] == .single("255.255.255.0"))
        #expect(lan["note"] == .single("two\r\nlines"))
        #expect(lan["long"] == .single("longvalue"))
        #expect(file.section(named: "wan")?["proto"] == .single("dhcp"))
        #expect(!file.text.hasSuffix("\n"))
    }
}
