import Testing
import WrtformEngine
import WrtformPlaybook

/// Values the loader passes on are judged by the step kinds (StepCatalog), as the CLI does it;
/// their errors must still point at the playbook line and column the value came from.
@Suite struct LoaderValidationTests {
    static let playbook = #"""
        vars:
          server_ip: 192.168.1.20
          forward_ports: [8080]
        steps:
          - id: web
            for_each: forward_ports
            redirect:
              src: wan
              src_dport: "{{ item }}"
              dest_ip: "{{ server_ip }}"
              dest_port: 80
          - id: direct
            redirect: { src_dport: 2222, dest_ip: 192.168.1.21, dest_port: 22 }
        """#

    @Test func theSampleIsValid() throws {
        let graph = try Loader.graph(try Loader.load(Self.playbook))
        #expect(graph.ordered.map(\.id) == ["web-8080", "direct"])
    }

    @Test func invalidIPv4InDestIPViaAVariable() throws {
        let playbook = try Loader.load(Self.playbook, overrides: ["server_ip": "192.168.1.500"])
        let error = try Loader.graphError(playbook)
        #expect(error.description == "ocn.yml:10:17: '192.168.1.500' is not a valid IPv4 address")
        #expect(error.kind == .invalidInput)
    }

    @Test func invalidIPv4InDestIPWrittenOut() throws {
        let playbook = try Loader.load(Self.playbook.replacingOccurrences(of: "192.168.1.21", with: "192.168.1.500"))
        let error = try Loader.graphError(playbook)
        #expect(error.description == "ocn.yml:13:43: '192.168.1.500' is not a valid IPv4 address")
    }

    @Test func portOutOfRange() throws {
        let written = try Loader.graphError(
            try Loader.load(Self.playbook.replacingOccurrences(of: "src_dport: 2222", with: "src_dport: 70000")))
        #expect(written.description == "ocn.yml:13:28: port 70000 is out of range (1-65535)")
        // From a for_each item given on the command line: reported where the item is used.
        let looped = try Loader.graphError(try Loader.load(Self.playbook, overrides: ["forward_ports": "8080,70000"]))
        #expect(looped.description == "ocn.yml:9:19: port 70000 is out of range (1-65535)")
        let destination = try Loader.graphError(
            try Loader.load(Self.playbook.replacingOccurrences(of: "dest_port: 80\n", with: "dest_port: 0\n")))
        #expect(destination.description == "ocn.yml:11:18: port 0 is out of range (1-65535)")
    }

    @Test func unknownFieldOfAKind() throws {
        let error = try Loader.graphError(
            try Loader.load("steps:\n  - id: fwd\n    forwarding: { src: lan, dst: wan }\n"))
        #expect(error.description == "ocn.yml:3:34: forwarding step 'fwd': unknown field 'dst' (did you mean 'dest'?)")
    }

    @Test func missingRequiredField() throws {
        let error = try Loader.graphError(try Loader.load("steps:\n  - id: fwd\n    redirect: { src_dport: 80 }\n"))
        #expect(error.description == "ocn.yml:2:9: redirect step 'fwd' needs a 'dest_ip'")
    }

    @Test func interfaceValues() throws {
        let yaml = #"""
            vars:
              mtu: 1454
            steps:
              - id: wanppp
                interface:
                  name: wanppp
                  proto: pppoe
                  mtu: "{{ mtu }}"
            """#
        // netifd would set a PPP interface's mtu on the shared port too: refused, saying what to write.
        let ppp = try Loader.graphError(try Loader.load(yaml))
        #expect(
            ppp.description
                == "ocn.yml:8:13: mtu on PPP interface 'wanppp' is also set on its lower device by netifd (shrinking the port IPoE/MAP-E share) (set the session's MTU with pppd_options: 'mtu 1454 mru 1454')"
        )
        let dhcp = yaml.replacingOccurrences(of: "proto: pppoe", with: "proto: dhcp")
        #expect(try Loader.graph(try Loader.load(dhcp)).ordered.count == 1)
        let mtu = try Loader.graphError(try Loader.load(dhcp, overrides: ["mtu": "70000"]))
        #expect(mtu.description == "ocn.yml:8:13: mtu '70000' is out of range (576-9216)")
        let long = try Loader.graphError(
            try Loader.load(yaml.replacingOccurrences(of: "name: wanppp", with: "name: wan_pppoe1")))
        #expect(
            long.description
                == "ocn.yml:6:13: PPP interface name 'wan_pppoe1' is longer than 9 characters (its device pppoe-wan_pppoe1 would exceed 15) (use a shorter name, e.g. 'wanppp')"
        )
    }

    @Test func zoneAndPaths() throws {
        let zone = try Loader.graphError(
            try Loader.load("steps:\n  - id: z\n    firewall-zone: { name: 9guest, input: ALLOW }\n"))
        #expect(
            zone.description
                == "ocn.yml:3:28: '9guest' is not a valid zone name (letters, digits, _ . / -, not starting with a digit)"
        )
        let policy = try Loader.graphError(
            try Loader.load("steps:\n  - id: z\n    firewall-zone: { name: guest, input: ALLOW }\n"))
        #expect(policy.description == "ocn.yml:3:42: input policy 'ALLOW' is not ACCEPT, REJECT or DROP")
        let config = try Loader.graphError(
            try Loader.load("steps:\n  - id: f\n    file: { path: /etc/config/guest, content: x }\n"))
        #expect(
            config.description
                == "ocn.yml:3:19: /etc/config/guest is a uci config: every file in /etc/config is loaded as one (use uci-section or uci-option steps)"
        )
        let keep = try Loader.graphError(
            try Loader.load(
                "vars:\n  keep: [etc/x]\nsteps:\n  - id: k\n    sysupgrade-keep: { paths: \"{{ keep }}\" }\n"))
        #expect(keep.description == "ocn.yml:5:32: 'etc/x' is not an absolute path")
    }

    @Test func needsCycle() throws {
        let playbook = try Loader.load(
            #"""
            steps:
              - id: a
                needs: [b]
                forwarding: { src: lan, dest: wan }
              - id: b
                needs: [a]
                forwarding: { src: wan, dest: lan }
            """#)
        let error = try Loader.graphError(playbook)
        #expect(
            error.description
                == "ocn.yml:2:9: the steps depend on each other in a cycle: a → b → a (remove one of these needs)")
        #expect(error.kind == .cycle)
    }

    @Test func impliedOrderFollowsReferences() throws {
        // The zone covers an interface the playbook creates later: it still runs after it.
        let playbook = try Loader.load(
            #"""
            steps:
              - id: zone
                firewall-zone: { name: guest, network: [guest] }
              - id: guest
                interface: { name: guest, proto: static, ipaddr: 192.168.3.1, netmask: 255.255.255.0 }
            """#)
        let graph = try Loader.graph(playbook)
        #expect(graph.ordered.map(\.id) == ["guest", "zone"])
        #expect(graph.edges.contains(StepGraph.Edge(from: "guest", to: "zone", implied: true)))
    }
}
