import Foundation
import Testing
import VirtualRouter

/// A mistyped option never reaches the router: every step kind knows the options OpenWrt reads for
/// its section (and proto); others go under an explicit `extra_options:` mapping.
@Suite struct CLIKnownOptionsTests {
    func playbook(_ text: String) throws -> String { try CLI.playbook(text, named: "ocn.yml") }

    static let pppoe = """
        steps:
          - id: wanppp
            interface:
              name: wanppp
              proto: pppoe
              device: wan
              mut: 1454
        """

    static let redirect = """
        steps:
          - id: fwd
            redirect:
              src: wan
              src_dport: 443
              dest_ip: 192.168.1.5
              dest_prot: 80
        """

    @Test func mistypedOptionalFieldsFailValidate() async throws {
        let pppoe = try playbook(Self.pppoe)
        let mtu = await CLI.run(["validate", pppoe])
        #expect(mtu.code == 1)
        #expect(mtu.stdout.isEmpty)
        #expect(
            mtu.stderr
                == "error: \(pppoe):7:12: interface step 'wanppp': unknown field 'mut' for proto pppoe (did you mean 'mtu'?)\n"
        )
        let redirect = try playbook(Self.redirect)
        let port = await CLI.run(["validate", redirect])
        #expect(port.code == 1)
        #expect(
            port.stderr
                == "error: \(redirect):7:18: redirect step 'fwd': unknown field 'dest_prot' (did you mean 'dest_port'?)\n"
        )
    }

    @Test func mistypedRequiredFieldIsNamed() async throws {
        let path = try playbook("steps:\n  - id: fwd\n    redirect: { src_dport: 80, dest_ipp: 192.168.1.5 }\n")
        let result = await CLI.run(["validate", path])
        #expect(result.code == 1)
        #expect(
            result.stderr
                == "error: \(path):3:42: redirect step 'fwd': unknown field 'dest_ipp' (did you mean 'dest_ip'?)\n")
    }

    /// Options are known per proto: a static address on a PPPoE interface is a mistake.
    @Test func optionsAreKnownPerProto() async throws {
        let path = try playbook("steps:\n  - id: w\n    interface: { name: w, proto: pppoe, ipaddr: 10.0.0.1 }\n")
        let result = await CLI.run(["validate", path])
        #expect(result.code == 1)
        #expect(result.stderr.contains("unknown field 'ipaddr' for proto pppoe"))
        #expect(result.stderr.contains("extra_options:"))
        let staticAddress = try playbook(
            "steps:\n  - id: w\n    interface: { name: w, proto: static, ipaddr: 10.0.0.1, netmask: 255.0.0.0 }\n")
        #expect(await CLI.run(["validate", staticAddress]).code == 0)
        let zone = try playbook("steps:\n  - id: z\n    firewall-zone: { name: z, input: REJECT, masquerade: 1 }\n")
        #expect(await CLI.run(["validate", zone]).stderr.contains("unknown field 'masquerade'"))
        let rule = try playbook("steps:\n  - id: r\n    network-rule: { in: lan, lookup: main, prority: 10 }\n")
        #expect(
            await CLI.run(["validate", rule]).stderr.contains("unknown field 'prority' (did you mean 'priority'?)"))
    }

    /// Through the CLI against the virtual router: the typo stops plan before it connects; an option
    /// under extra_options is planned as written.
    @Test func typoNeverReachesTheRouterAndExtraOptionsDo() async throws {
        try await withVirtualRouter { router in
            let typo = await CLI.run(["plan", try playbook(Self.redirect)] + CLI.target(router))
            #expect(typo.code == 1)
            #expect(typo.stderr.contains("unknown field 'dest_prot' (did you mean 'dest_port'?)"))
            #expect(try router.commandLog().isEmpty)

            let extra = try playbook(
                """
                steps:
                  - id: fwd
                    redirect:
                      src: wan
                      src_dport: 443
                      dest_ip: 192.168.1.5
                      extra_options: { nat_loopback_hint: on-demand }
                """)
            let plan = await CLI.run(["plan", extra] + CLI.target(router))
            #expect(plan.code == 2, "\(plan.stderr)")
            #expect(plan.stdout.contains("+\toption nat_loopback_hint 'on-demand'"), "\(plan.stdout)")
            let twice = try playbook(
                "steps:\n  - id: f\n    redirect: { src_dport: 1, dest_ip: 10.0.0.1, extra_options: { dest_ip: 10.0.0.2 } }\n"
            )
            let both = await CLI.run(["plan", twice] + CLI.target(router))
            #expect(both.stderr.contains("'dest_ip' is both a field and in extra_options"))
        }
    }

    /// The escape hatch knows the section types wrtform knows too; others are written as given.
    @Test func uciSectionOnKnownTypes() async throws {
        let rule = try playbook(
            """
            steps:
              - id: r
                uci-section:
                  config: firewall
                  type: rule
                  match: { name: Allow-Guest-DNS }
                  options: { src: guest, dest_prot: 53, target: ACCEPT }
            """)
        let typo = await CLI.run(["validate", rule])
        #expect(typo.code == 1)
        #expect(
            typo.stderr
                == "error: \(rule):7:41: uci-section step 'r': firewall rule has no option 'dest_prot' (did you mean 'dest_port'?)\n"
        )
        let extra = try playbook(
            """
            steps:
              - id: r
                uci-section:
                  config: firewall
                  type: rule
                  match: { name: Allow-Guest-DNS }
                  options: { src: guest, dest_port: 53, target: ACCEPT }
                  extra_options: { future_flag: 1 }
            """)
        #expect(await CLI.run(["validate", extra]).code == 0)
        let dhcp = try playbook(
            "steps:\n  - id: d\n    uci-section: { config: dhcp, type: dhcp, name: guest, options: { anything_goes: 1 } }\n"
        )
        #expect(await CLI.run(["validate", dhcp]).code == 0)
    }
}
