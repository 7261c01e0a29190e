import Foundation
import Testing
import WrtformEngine
import WrtformPlaybook
import WrtformUCI

/// The firewall-rule step kind: a traffic rule found again by name, checked as fw4 reads it.
@Suite struct FirewallRuleTests {
    static let rule = #"""
        vars:
          suffix: "::5/-64"
          zone: lan
        steps:
          - id: https6
            firewall-rule:
              name: server-https-v6
              family: ipv6
              src: wan
              dest: "{{ zone }}"
              proto: tcp
              dest_ip: "{{ suffix }}"
              dest_port: 443
        """#

    static func firewall(_ router: LoaderRouter) -> String {
        (try? String(contentsOf: router.root.appendingPathComponent("etc/config/firewall"), encoding: .utf8)) ?? ""
    }

    @Test func writesTheRuleAndFindsItAgain() async throws {
        let router = try LoaderRouter()
        defer { router.remove() }
        let graph = try Loader.graph(try Loader.load(Self.rule))
        let plan = try await router.plan(graph)
        #expect(plan.summaryLine == "Plan: 1 to add, 0 to change, 0 to remove.")
        let text = try #require(plan.files.first?.new.text)
        #expect(
            text.hasSuffix(
                """

                config rule
                \toption name 'server-https-v6'
                \toption family 'ipv6'
                \toption src 'wan'
                \toption dest 'lan'
                \toption dest_ip '::5/-64'
                \toption dest_port '443'
                \toption proto 'tcp'
                \toption target 'ACCEPT'

                """))
        try LoaderPlaybookTests.write(plan, into: router)
        #expect(try await router.plan(graph).hasChanges == false)
    }

    /// LuCI writes `list proto`, `list dest_ip` and its own order: the rule of that name is updated,
    /// never doubled, and what the step does not name is kept.
    @Test func updatesALuCIMadeRuleOfTheSameName() async throws {
        let router = try LoaderRouter()
        defer { router.remove() }
        let luci = """

            config rule
            \toption name 'server-https-v6'
            \toption src 'wan'
            \toption dest 'lan'
            \tlist dest_ip '2001:db8:1:2::5'
            \toption dest_port '443'
            \tlist proto 'tcp'
            \toption target 'ACCEPT'
            \toption family 'ipv6'
            \toption log '1'

            """
        try Data((Self.firewall(router) + luci).utf8).write(
            to: router.root.appendingPathComponent("etc/config/firewall"))
        let graph = try Loader.graph(try Loader.load(Self.rule))
        let plan = try await router.plan(graph)
        #expect(plan.summaryLine == "Plan: 0 to add, 1 to change, 0 to remove.")
        #expect(
            plan.steps.first?.summary == [
                "~ /etc/config/firewall: rule [name='server-https-v6']: dest_ip ['2001:db8:1:2::5'] → '::5/-64'"
            ])
        try LoaderPlaybookTests.write(plan, into: router)
        let firewall = try UCIFile(parsing: Self.firewall(router))
        let rules = firewall.sections(ofType: "rule").filter { $0["name"] == .single("server-https-v6") }
        #expect(rules.count == 1)
        #expect(rules.first?["log"] == .single("1"))
        #expect(try await router.plan(graph).hasChanges == false)
    }

    /// fw4 reads `A/-N` (the last N bits) and `A/MASK` (non-contiguous masks too): both accepted.
    @Test(arguments: [
        "::5/-64", "::5/::ffff:ffff:ffff:ffff", "!::5/-64", "2001:db8::/32", "2001:db8::1-2001:db8::9", "::5",
    ])
    func acceptsTheAddressFormsFw4Reads(_ address: String) throws {
        #expect(try Loader.graph(try Loader.load(Self.rule, overrides: ["suffix": address])).ordered.count == 1)
    }

    @Test(arguments: [
        (
            "::5/-129",
            "ocn.yml:12:17: dest_ip: '/-129' is not a prefix length (0-128), a negative one (-1 to -128: the last bits) or a mask of the family"
        ),
        ("::5/255.255.0.0", "ocn.yml:12:17: dest_ip: mask '255.255.0.0' is not of the address's family (ipv6)"),
        ("::5/ffff::/64", "ocn.yml:12:17: dest_ip: '::5/ffff::/64' has more than one /"),
        (
            "::5/--64",
            "ocn.yml:12:17: dest_ip: '/--64' is not a prefix length (0-128), a negative one (-1 to -128: the last bits) or a mask of the family"
        ),
        ("::g5/-64", "ocn.yml:12:17: dest_ip: '::g5' is not an IPv4 or IPv6 address"),
        ("192.168.1.5", "ocn.yml:12:17: dest_ip '192.168.1.5' is ipv4, but the rule's family is ipv6"),
    ])
    func badSuffixMasksAreErrorsAtTheirLine(_ address: String, _ message: String) throws {
        let error = try Loader.graphError(try Loader.load(Self.rule, overrides: ["suffix": address]))
        #expect(error.description == message)
    }

    @Test func unknownZonesArePlanErrorsAtTheirLine() async throws {
        let router = try LoaderRouter()
        defer { router.remove() }
        let graph = try Loader.graph(try Loader.load(Self.rule, overrides: ["zone": "lna"]))
        let error = await #expect(throws: EngineError.self) { try await router.plan(graph) }
        #expect(
            error?.description.hasPrefix(
                "ocn.yml:10:14: step 'https6' refers to zone 'lna', which is neither on the router nor created by the playbook"
            ) == true)
        let bad = try Loader.graphError(try Loader.load(Self.rule, overrides: ["zone": "9lan"]))
        #expect(bad.description == "ocn.yml:10:14: '9lan' is not a valid zone name")
    }

    @Test func strictFields() throws {
        func error(_ yaml: String) throws -> String {
            let d = try Loader.graphError(
                try Loader.load("steps:\n  - id: r\n    firewall-rule: { name: r, \(yaml) }\n")
            ).description
            return d
        }
        #expect(
            try error("src: wan, dest_port: 70000") == "ocn.yml:3:52: dest_port: port 70000 is out of range (1-65535)")
        #expect(try error("src: wan, dest_port: 443-80") == "ocn.yml:3:52: dest_port: port range 443-80 is backwards")
        #expect(
            try error("src: wan, proto: icmp, dest_port: 22")
                == "ocn.yml:3:65: dest_port needs proto tcp or udp (proto is icmp)")
        #expect(
            try error("src: wan, target: ALLOW")
                == "ocn.yml:3:49: target 'ALLOW' is not one of ACCEPT, REJECT, DROP, MARK, NOTRACK")
        #expect(
            try error("src: wan, proto: tcp, icmp_type: echo-request")
                == "ocn.yml:3:64: icmp_type needs proto icmp (or icmpv6)")
        #expect(
            try error("src: wan, family: ipv4, src_ip: \"2001:db8::1\"")
                == "ocn.yml:3:64: src_ip '2001:db8::1' is ipv6, but the rule's family is ipv4")
        let unknown = try error("src: wan, dest_ipp: \"::5\"")
        #expect(unknown == "ocn.yml:3:52: firewall-rule step 'r': unknown field 'dest_ipp' (did you mean 'dest_ip'?)")
        #expect(try error("src: wan, target: MARK") == "ocn.yml:3:49: target MARK needs set_mark or set_xmark")
    }
}
