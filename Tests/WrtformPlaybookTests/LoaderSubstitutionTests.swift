import Foundation
import Testing
import WrtformEngine
import WrtformPlaybook

/// `{{ name }}` substitution, templates, `when`, `for_each` and `--var`.
@Suite struct LoaderSubstitutionTests {
    static let playbook = #"""
        name: subst
        vars:
          server_ip: 192.168.1.5
          zone_networks: [guest, iot]
          forward_ports: [443]
        steps:
          - id: zone
            firewall-zone:
              name: guest
              network: "{{ zone_networks }}"
          - id: zone2
            firewall-zone:
              name: mixed
              network: ["{{ zone_networks }}", lan]
          - id: fwd
            for_each: forward_ports
            redirect:
              name: "server-{{ item }}"
              src_dport: "{{ item }}"
              dest_ip: "{{ server_ip }}"
        """#

    @Test func scalarsListsAndLoops() throws {
        let playbook = try Loader.load(Self.playbook)
        #expect(playbook.steps.map(\.input.id) == ["zone", "zone2", "fwd-443"])
        let zone = try Loader.step(playbook, "zone").input
        #expect(Loader.scalars(zone.fields["network"]) == ["guest", "iot"])
        #expect(zone.fields["network"]?.location?.description == "ocn.yml:10:17")
        let zone2 = try Loader.step(playbook, "zone2").input
        #expect(Loader.scalars(zone2.fields["network"]) == ["guest", "iot", "lan"])
        let forward = try Loader.step(playbook, "fwd-443").input
        #expect(forward.kind == "redirect")
        #expect(Loader.scalar(forward.fields["name"]) == "server-443")
        #expect(Loader.scalar(forward.fields["src_dport"]) == "443")
        #expect(Loader.scalar(forward.fields["dest_ip"]) == "192.168.1.5")
        // A whole-value substitution is reported where it is used, not where the variable was defined.
        #expect(forward.fields["dest_ip"]?.location?.description == "ocn.yml:20:17")
        #expect(forward.fields.values.allSatisfy { !$0.isSecret })
        let graph = try Loader.graph(playbook)
        #expect(graph.ordered.map(\.id) == ["zone", "zone2", "fwd-443"])
    }

    @Test func listOverrideTakesCommaSeparatedValues() throws {
        let playbook = try Loader.load(
            Self.playbook, overrides: ["forward_ports": "443, 8443", "server_ip": "192.168.1.7"])
        #expect(playbook.steps.map(\.input.id) == ["zone", "zone2", "fwd-443", "fwd-8443"])
        let second = try Loader.step(playbook, "fwd-8443").input
        #expect(Loader.scalar(second.fields["src_dport"]) == "8443")
        #expect(Loader.scalar(second.fields["dest_ip"]) == "192.168.1.7")
        #expect(Loader.scalars(playbook.vars["forward_ports"]) == ["443", "8443"])
        #expect(playbook.scalar("server_ip") == "192.168.1.7")
        let graph = try Loader.graph(playbook)
        #expect(graph.ordered.map(\.id) == ["zone", "zone2", "fwd-443", "fwd-8443"])
        let none = try Loader.load(Self.playbook, overrides: ["forward_ports": ""])
        #expect(none.steps.map(\.input.id) == ["zone", "zone2"])
    }

    @Test func overrideErrors() throws {
        let unknown = try Loader.error(Self.playbook, overrides: ["server_ipp": "192.168.1.7"])
        #expect(
            unknown.description
                == "--var server_ipp: the playbook has no variable 'server_ipp' (did you mean 'server_ip'?)")
        let far = try Loader.error(Self.playbook, overrides: ["mtu": "1454"])
        #expect(
            far.description
                == "--var mtu: the playbook has no variable 'mtu' (variables: forward_ports, server_ip, zone_networks)")
        let secret = try Loader.error(
            "secrets:\n  pw: { env: PW }\nsteps: []\n", overrides: ["pw": LoaderSecrets.pppoePassword])
        #expect(
            secret.description
                == "--var pw: 'pw' is a secret, not a variable (secrets come from the environment, a file or a prompt, never the command line)"
        )
        let reference = try Loader.error(Self.playbook, overrides: ["server_ip": "{{ zone_networks }}"])
        #expect(
            reference.description == "--var server_ip: a value cannot refer to {{ variables }} (give the value itself)")
    }

    @Test func unknownVariableIsReportedAtItsColumn() throws {
        let error = try Loader.error(
            Self.playbook.replacingOccurrences(of: "\"server-{{ item }}\"", with: "\"server-{{ server_ipp }}\""))
        #expect(error.description == "ocn.yml:18:21: unknown variable 'server_ipp' (did you mean 'server_ip'?)")
        #expect(error.kind == .unknownReference)
        let far = try Loader.error(Self.playbook.replacingOccurrences(of: "\"{{ server_ip }}\"", with: "'{{ host }}'"))
        #expect(far.description == "ocn.yml:20:17: unknown variable 'host' (define it under vars: or secrets:)")
        let plain = try Loader.error(
            Self.playbook.replacingOccurrences(of: "\"server-{{ item }}\"", with: "server-{{ itme }}"))
        #expect(plain.description == "ocn.yml:18:20: unknown variable 'itme' (did you mean 'item'?)")
    }

    @Test func malformedPlaceholders() throws {
        let open = try Loader.error(
            Self.playbook.replacingOccurrences(of: "\"server-{{ item }}\"", with: "\"server-{{ item\""))
        #expect(open.description == "ocn.yml:18:21: '{{' without a closing '}}' (write {{ name }})")
        let empty = try Loader.error(
            Self.playbook.replacingOccurrences(of: "\"server-{{ item }}\"", with: "\"server-{{ a.b }}\""))
        #expect(
            empty.description
                == "ocn.yml:18:21: '{{ a.b }}' is not a variable reference (write {{ name }} with a variable's name)")
    }

    @Test func listVariableInsideALongerString() throws {
        let error = try Loader.error(
            Self.playbook.replacingOccurrences(of: "\"server-{{ item }}\"", with: "\"server-{{ forward_ports }}\""))
        #expect(
            error.description
                == "ocn.yml:18:21: variable 'forward_ports' is a list or mapping: it can only stand alone in a value")
    }

    @Test func forEachOverANonList() throws {
        let error = try Loader.error(
            Self.playbook.replacingOccurrences(of: "for_each: forward_ports", with: "for_each: server_ip"))
        #expect(error.description == "ocn.yml:16:15: for_each: variable 'server_ip' is not a list")
        let unknown = try Loader.error(
            Self.playbook.replacingOccurrences(of: "for_each: forward_ports", with: "for_each: forward_port"))
        #expect(
            unknown.description
                == "ocn.yml:16:15: for_each: unknown variable 'forward_port' (did you mean 'forward_ports'?)")
        let inline = try Loader.error(
            Self.playbook.replacingOccurrences(of: "for_each: forward_ports", with: "for_each: [443]"))
        #expect(inline.description == "ocn.yml:16:15: for_each names one list variable")
    }

    @Test func forEachItemsMakeValidIDs() throws {
        let error = try Loader.error(Self.playbook, overrides: ["forward_ports": "443,80 80"])
        #expect(error.description == "ocn.yml:15:9: step id 'fwd-80 80' may hold only letters, digits, _ . -")
        let duplicate = try Loader.error(Self.playbook, overrides: ["forward_ports": "443,443"])
        #expect(duplicate.description == "ocn.yml:15:9: duplicate step id 'fwd-443' (first at line 15)")
    }

    @Test func needsNamingALoopMeansEveryCopy() throws {
        let yaml =
            Self.playbook + "\n" + #"""
                  - id: keep
                    needs: [fwd]
                    sysupgrade-keep: { paths: [/etc/config/firewall] }
                """#
        let playbook = try Loader.load(yaml, overrides: ["forward_ports": "443,8443"])
        let keep = try Loader.step(playbook, "keep")
        #expect(keep.needs == ["fwd-443", "fwd-8443"])
        #expect(keep.needsLocations.map { $0?.description } == ["ocn.yml:22:13", "ocn.yml:22:13"])
        let graph = try Loader.graph(playbook)
        #expect(graph.edges.filter { $0.to == "keep" }.map(\.from) == ["fwd-443", "fwd-8443"])
        let typo = try Loader.error(yaml.replacingOccurrences(of: "needs: [fwd]", with: "needs: [fwdd]"))
        #expect(typo.description == "ocn.yml:22:13: step 'keep' needs unknown step 'fwdd' (did you mean 'fwd'?)")
    }

    static let gated = #"""
        vars:
          use_ddns: false
          use_forward: yes
        secrets:
          ddns_password: { env: WRTFORM_DDNS_PASSWORD }
        steps:
          - id: ddns-password
            when: use_ddns
            file: { path: /etc/wrtform/ddns.secret, content: "{{ ddns_password }}", mode: "0600" }
          - id: hook
            when: use_ddns
            needs: [ddns-password]
            file: { path: /etc/hotplug.d/iface/40-pppoe, content: "#!/bin/sh\n" }
          - id: forward
            when: use_forward
            needs: [ddns-password]
            redirect: { src_dport: 8080, dest_ip: 192.168.1.20, dest_port: 80 }
        """#

    @Test func whenFalseSkipsTheStepAndItsSecrets() throws {
        // The secret's variable is unset, and only a skipped step uses it: nothing to resolve.
        let playbook = try Loader.load(Self.gated, secrets: .resolve(environment: [:], prompter: nil))
        #expect(playbook.steps.map(\.input.id) == ["ddns-password", "hook", "forward"])
        #expect(playbook.steps.map(\.skipped) == [true, true, false])
        #expect(try Loader.step(playbook, "ddns-password").input.fields.isEmpty)
        // Nothing waits for a step that does not run.
        #expect(try Loader.step(playbook, "forward").needs == [])
        #expect(playbook.secretValues.isEmpty)
        let graph = try Loader.graph(playbook)
        #expect(graph.ordered.map(\.id) == ["forward"])
    }

    @Test func whenTrueRunsTheStep() throws {
        let environment = ["WRTFORM_DDNS_PASSWORD": LoaderSecrets.ddnsPassword]
        let playbook = try Loader.load(
            Self.gated, overrides: ["use_ddns": "true"], secrets: .resolve(environment: environment, prompter: nil))
        #expect(playbook.steps.map(\.skipped) == [false, false, false])
        #expect(try Loader.step(playbook, "hook").needs == ["ddns-password"])
        #expect(try Loader.step(playbook, "forward").needs == ["ddns-password"])
        #expect(playbook.secretValues == [LoaderSecrets.ddnsPassword])
        let graph = try Loader.graph(playbook)
        #expect(graph.ordered.map(\.id) == ["ddns-password", "hook", "forward"])
        let unset = try Loader.error(
            Self.gated, overrides: ["use_ddns": "on"], secrets: .resolve(environment: [:], prompter: nil))
        #expect(
            unset.description
                == "ocn.yml:5:25: secret 'ddns_password' needs the environment variable WRTFORM_DDNS_PASSWORD, which is not set (export WRTFORM_DDNS_PASSWORD=… before running wrtform)"
        )
        let off = try Loader.load(Self.gated, overrides: ["use_forward": "0"])
        #expect(off.steps.map(\.skipped) == [true, true, true])
    }

    // MARK: Templates

    static let templated = #"""
        vars:
          ddns_hosts: "@ www"
          interface: wanppp
        steps:
          - id: hook
            file:
              path: /etc/hotplug.d/iface/40-hook
              template: templates/hook
        """#
    static let hook = "#!/bin/sh\nHOSTS='{{ ddns_hosts }}'\nIFACE='{{ interface }}'\n"

    func loadTemplated(
        _ yaml: String = templated, template: String = hook, overrides: [String: String] = [:],
        secrets: SecretResolution = .placeholders
    ) throws -> Playbook {
        try Loader.load(yaml, files: ["templates/hook": template], overrides: overrides, secrets: secrets)
    }

    func templateError(
        _ yaml: String = templated, template: String = hook, overrides: [String: String] = [:],
        secrets: SecretResolution = .placeholders,
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) throws -> EngineError {
        try Loader.error(
            yaml, files: ["templates/hook": template], overrides: overrides, secrets: secrets,
            sourceLocation: sourceLocation)
    }

    @Test func templateIsRenderedIntoContent() throws {
        let playbook = try loadTemplated()
        let input = try Loader.step(playbook, "hook").input
        #expect(input.fields["template"] == nil)
        #expect(Loader.scalar(input.fields["content"]) == "#!/bin/sh\nHOSTS='@ www'\nIFACE='wanppp'\n")
        #expect(input.fields["content"]?.location?.description == "ocn.yml:8:17")
        #expect(input.fields["content"]?.isSecret == false)
        let step = try #require(try StepCatalog.make(input) as? FileStep)
        #expect(String(decoding: step.content, as: UTF8.self) == "#!/bin/sh\nHOSTS='@ www'\nIFACE='wanppp'\n")
        #expect(step.writesSecretFile == false)
    }

    @Test func contentAndTemplateTogetherAreRefused() throws {
        let yaml = Self.templated + "\n      content: \"#!/bin/sh\\n\"\n"
        let error = try templateError(yaml)
        #expect(error.description == "ocn.yml:8:17: file step 'hook' has both content and template (keep one of them)")
    }

    @Test func missingTemplateIsReportedAtTheTemplateValue() throws {
        let directory = try LoaderDirectory()
        defer { directory.remove() }
        let path = try directory.write(
            "ocn.yml", Self.templated.replacingOccurrences(of: "templates/hook", with: "templates/hok"))
        let error = try #require(throws: EngineError.self) {
            try PlaybookLoader().load(path: path, secrets: .placeholders)
        }
        #expect(
            error.description
                == "ocn.yml:8:17: template file 'templates/hok' does not exist (looked for \(directory.path)/templates/hok)"
        )
        #expect(error.kind == .notFound)
    }

    @Test func templateEscapesAValueForItsQuotes() throws {
        // Written so the shell reads the value back (TemplateQuotingTests runs it), not refused.
        let quoted = try loadTemplated(overrides: ["ddns_hosts": "it's"])
        #expect(
            try Loader.scalar(Loader.step(quoted, "hook").input.fields["content"])
                == "#!/bin/sh\nHOSTS='it'\\''s'\nIFACE='wanppp'\n")
        // A template that is nothing but the placeholder: the value is outside quotes.
        let whole = try loadTemplated(template: "{{ ddns_hosts }}", overrides: ["ddns_hosts": "it's"])
        #expect(try Loader.scalar(Loader.step(whole, "hook").input.fields["content"]) == "it\\'s")
        let newline = try templateError(overrides: ["interface": "wan\nppp"])
        #expect(
            newline.description
                == "templates/hook:3:8: 'interface' contains a line break (U+000A), which a template cannot hold (from --var interface) (change the value)"
        )
    }

    @Test func templateEscapesASecretWithAQuoteWithoutQuotingItInErrors() throws {
        let yaml = Self.templated.replacingOccurrences(of: "steps:", with: "secrets:\n  password: { env: PW }\nsteps:")
        let quoted = try loadTemplated(
            yaml, template: "PASSWORD='{{ password }}'\n",
            secrets: .resolve(environment: ["PW": LoaderSecrets.pppoePassword], prompter: nil))
        let content = try Loader.step(quoted, "hook").input.fields["content"]
        #expect(Loader.scalar(content) == "PASSWORD='S3cr3t-'\\''$(reboot)'\n")
        #expect(content?.isSecret == true)
        #expect(try (StepCatalog.make(try Loader.step(quoted, "hook").input) as? FileStep)?.writesSecretFile == true)
        // What no quoting carries is refused (when the secret is read), without quoting it.
        let error = try templateError(
            yaml, template: "PASSWORD='{{ password }}'\n",
            secrets: .resolve(environment: ["PW": "S3cr3t-\u{1b}x"], prompter: nil))
        #expect(error.description == "ocn.yml:5:20: secret 'password' contains a control character (newline, NUL, …)")
    }

    @Test func templateErrorsPointIntoTheTemplate() throws {
        let unknown = try templateError(
            template: Self.hook.replacingOccurrences(of: "{{ interface }}", with: "{{ interfac }}"))
        #expect(unknown.description == "templates/hook:3:8: unknown variable 'interfac' (did you mean 'interface'?)")
        let list = try templateError(
            Self.templated.replacingOccurrences(of: "interface: wanppp", with: "interface: [wanppp]"))
        #expect(
            list.description
                == "templates/hook:3:8: variable 'interface' is a list or mapping, which a template cannot hold")
        let crlf = try templateError(template: "#!/bin/sh\r\n\r\nX='{{ nope }}'\r\n")
        #expect(crlf.description == "templates/hook:3:4: unknown variable 'nope' (define it under vars: or secrets:)")
        let nul = try templateError(template: "a\u{0}b\n")
        #expect(nul.description == "ocn.yml:8:17: template file 'templates/hook' contains NUL")
    }

    // MARK: Characters

    static let labelled = #"""
        vars:
          label: ok
          nets: [lan]
        steps:
          - id: r
            uci-section:
              config: firewall
              type: rule
              name: x
              options: { name: "{{ label }}" }
        """#

    @Test func newlineIsRefusedOutsideFileContent() throws {
        let direct = try Loader.error(Self.labelled.replacingOccurrences(of: "\"{{ label }}\"", with: #""a\nb""#))
        #expect(
            direct.description
                == "ocn.yml:10:25: a value cannot contain a newline (only a file step's content may span lines)")
        let crlf = try Loader.error(Self.labelled.replacingOccurrences(of: "\"{{ label }}\"", with: #""a\r\nb""#))
        #expect(
            crlf.description
                == "ocn.yml:10:25: a value cannot contain a newline (only a file step's content may span lines)")
        let viaVariable = try Loader.error(Self.labelled.replacingOccurrences(of: "label: ok", with: #"label: "a\nb""#))
        #expect(
            viaVariable.description
                == "ocn.yml:10:25: a value cannot contain a newline (only a file step's content may span lines)")
        let override = try Loader.error(Self.labelled, overrides: ["label": "a\nb"])
        #expect(
            override.description
                == "ocn.yml:10:25: a value cannot contain a newline (from --var label) (only a file step's content may span lines)"
        )
        // A list variable brought in whole is checked item by item, at the item.
        let listed = Self.labelled.replacingOccurrences(of: "nets: [lan]", with: #"nets: ["a\nb"]"#)
            .replacingOccurrences(of: "\"{{ label }}\"", with: "\"{{ nets }}\"")
        let list = try Loader.error(listed)
        #expect(
            list.description
                == "ocn.yml:3:11: a value cannot contain a newline (only a file step's content may span lines)")
    }

    @Test func nulIsRefused() throws {
        let direct = try Loader.error(Self.labelled.replacingOccurrences(of: "\"{{ label }}\"", with: #""a\0b""#))
        #expect(direct.description == "ocn.yml:10:25: a value cannot contain NUL")
        let override = try Loader.error(Self.labelled, overrides: ["label": "a\u{0}b"])
        #expect(override.description == "ocn.yml:10:25: a value cannot contain NUL (from --var label)")
        let content = try Loader.error("steps:\n  - id: f\n    file: { path: /etc/motd, content: \"a\\0b\" }\n")
        #expect(content.description == "ocn.yml:3:40: a value cannot contain NUL")
    }

    @Test func fileContentMaySpanLines() throws {
        let playbook = try Loader.load(
            #"""
            vars:
              who: world
            steps:
              - id: motd
                file:
                  path: /etc/banner.wrtform
                  content: |
                    hello
                    {{ who }}

            """#)
        let input = try Loader.step(playbook, "motd").input
        #expect(Loader.scalar(input.fields["content"]) == "hello\nworld\n")
        _ = try StepCatalog.make(input)
        // Placeholders inside a block are reported on their own line and column.
        let error = try Loader.error(
            #"""
            steps:
              - id: motd
                file:
                  path: /etc/banner.wrtform
                  content: |
                    hello
                      {{ whom }}
            """#)
        #expect(error.description == "ocn.yml:7:11: unknown variable 'whom' (define it under vars: or secrets:)")
        // Only the content of a file step: a multi-line value elsewhere is refused.
        let elsewhere = try Loader.error(
            "steps:\n  - id: f\n    file:\n      path: |\n        /etc/a\n        /etc/b\n      content: x\n")
        #expect(
            elsewhere.description
                == "ocn.yml:5:9: a value cannot contain a newline (only a file step's content may span lines)")
    }

    @Test func variablesHoldPlainValues() throws {
        let error = try Loader.error("vars:\n  net: 192.168.2\n  gateway: \"{{ net }}.1\"\nsteps: []\n")
        #expect(
            error.description
                == "ocn.yml:3:13: variable 'gateway' refers to another variable; vars hold plain values (write the value itself, and use {{ }} in the steps)"
        )
    }
}
