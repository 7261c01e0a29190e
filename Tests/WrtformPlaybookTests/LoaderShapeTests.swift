import Testing
import WrtformEngine
import WrtformPlaybook

/// The shape of a playbook: top-level keys, step entries, ids, needs, when, YAML syntax.
/// Each error is checked as the whole line a person reads.
@Suite struct LoaderShapeTests {
    static let kinds =
        "routing-table, interface, interface-options, firewall-zone, forwarding, redirect, network-rule, file, uci-section, uci-option, sysupgrade-keep, cron-job, firewall-rule, package, service"

    @Test func unknownStepKindSuggestsTheNearest() throws {
        let error = try Loader.error(
            #"""
            name: ocn
            vars:
              server_ip: 192.168.1.5
            steps:
              - id: table
                routing-table: { id: 300, name: pppoe }
              - id: zone
                firewal-zone:
                  name: wan_pppoe
            """#)
        #expect(error.description == "ocn.yml:8:5: unknown step kind 'firewal-zone' (did you mean 'firewall-zone'?)")
        #expect(error.kind == .invalidInput)
    }

    @Test func unknownStepKindInAFlowMappingPointsAtItsColumn() throws {
        let error = try Loader.error(
            #"""
            steps:
              - { id: fwd, forwardin: { src: lan, dest: wan } }
            """#)
        #expect(error.description == "ocn.yml:2:16: unknown step kind 'forwardin' (did you mean 'forwarding'?)")
    }

    @Test func stepWithoutAKind() throws {
        let error = try Loader.error(
            #"""
            steps:
              - id: table
                routing-table: { id: 300, name: pppoe }
              - id: zone
                needs: [table]
            """#)
        #expect(
            error.description
                == "ocn.yml:4:5: step 'zone' has no step kind (give each step exactly one of: \(Self.kinds))")
    }

    @Test func stepWithTwoKindsPointsAtTheSecond() throws {
        let error = try Loader.error(
            #"""
            steps:
              - id: zone
                forwarding: { src: lan, dest: wan }
                redirect: { src_dport: 80, dest_ip: 192.168.1.5 }
            """#)
        #expect(
            error.description
                == "ocn.yml:4:5: step 'zone' has 2 step kinds (forwarding, redirect) (give each step exactly one of: \(Self.kinds))"
        )
    }

    @Test func stepWithoutAnID() throws {
        let error = try Loader.error(
            #"""
            steps:
              - id: table
                routing-table: { id: 300, name: pppoe }
              - forwarding: { src: lan, dest: wan }
            """#)
        #expect(error.description == "ocn.yml:4:5: a step needs an id (start it with - id: NAME)")
        let empty = try Loader.error("steps:\n  - id: \"\"\n    forwarding: { src: lan, dest: wan }\n")
        #expect(empty.description == "ocn.yml:2:5: a step needs an id (start it with - id: NAME)")
    }

    @Test func stepIDWithASpaceIsRefused() throws {
        let error = try Loader.error("steps:\n  - id: lan to wan\n    forwarding: { src: lan, dest: wan }\n")
        #expect(error.description == "ocn.yml:2:9: step id 'lan to wan' may hold only letters, digits, _ . -")
    }

    @Test func duplicateStepIDPointsAtTheSecondAndNamesTheFirstLine() throws {
        let error = try Loader.error(
            #"""
            steps:
              - id: fwd
                forwarding: { src: lan, dest: wan }
              - id: table
                routing-table: { id: 300, name: pppoe }
              - id: fwd
                forwarding: { src: lan, dest: wan_pppoe }
            """#)
        #expect(error.description == "ocn.yml:6:9: duplicate step id 'fwd' (first at line 2)")
    }

    @Test func needsNamingAnUnknownStep() throws {
        let error = try Loader.error(
            #"""
            steps:
              - id: hook
                needs: [pasword]
                file: { path: /etc/hook, content: hi }
              - id: password
                file: { path: /etc/password, content: pw }
            """#)
        #expect(
            error.description == "ocn.yml:3:13: step 'hook' needs unknown step 'pasword' (did you mean 'password'?)")
        #expect(error.kind == .unknownReference)
    }

    @Test func needsAsASingleValue() throws {
        let playbook = try Loader.load(
            #"""
            steps:
              - id: hook
                needs: password
                file: { path: /etc/hook, content: hi }
              - id: password
                file: { path: /etc/password, content: pw }
            """#)
        let hook = try Loader.step(playbook, "hook")
        #expect(hook.needs == ["password"])
        #expect(hook.needsLocations.map { $0?.description } == ["ocn.yml:3:12"])
        let graph = try Loader.graph(playbook)
        #expect(graph.ordered.map(\.id) == ["password", "hook"])
    }

    @Test func whenNamingAnUnknownVariable() throws {
        let error = try Loader.error(
            #"""
            vars:
              use_ddns: true
            steps:
              - id: hook
                when: use_dns
                file: { path: /etc/hook, content: hi }
            """#)
        #expect(error.description == "ocn.yml:5:11: when: unknown variable 'use_dns' (did you mean 'use_ddns'?)")
        #expect(error.kind == .unknownReference)
    }

    @Test func whenWithBracesSaysToNameTheVariableBare() throws {
        let error = try Loader.error(
            #"""
            vars:
              use_ddns: true
            steps:
              - id: hook
                when: "{{ use_ddns }}"
                file: { path: /etc/hook, content: hi }
            """#)
        #expect(
            error.description
                == "ocn.yml:5:12: when: unknown variable '{{ use_ddns }}' (when names the variable bare: when: NAME)")
    }

    @Test func whenOnAValueThatIsNotABoolean() throws {
        let error = try Loader.error(
            #"""
            vars:
              use_ddns: maybe
            steps:
              - id: hook
                when: use_ddns
                file: { path: /etc/hook, content: hi }
            """#)
        #expect(error.description == "ocn.yml:5:11: when: variable 'use_ddns' is 'maybe', not true or false")
    }

    @Test func unknownTopLevelKey() throws {
        let near = try Loader.error("name: x\nstep:\n  - id: a\n    forwarding: { src: lan, dest: wan }\n")
        #expect(
            near.description == "ocn.yml:2:1: unknown key 'step' at the top of the playbook (did you mean 'steps'?)")
        let far = try Loader.error("name: x\nhosts: [router]\nsteps: []\n")
        #expect(
            far.description
                == "ocn.yml:2:1: unknown key 'hosts' at the top of the playbook (known keys: name, description, vars, secrets, steps, probes)"
        )
    }

    @Test func playbookWithoutSteps() throws {
        let error = try Loader.error("name: x\nvars: { a: 1 }\n")
        #expect(error.description == "ocn.yml:1:1: the playbook has no steps (add a steps: list)")
        let notAList = try Loader.error("name: x\nsteps:\n  a: 1\n")
        #expect(notAList.description == "ocn.yml:3:3: steps must be a list of '- id: …' entries")
    }

    @Test func unknownKeyInAStep() throws {
        let near = try Loader.error(
            #"""
            steps:
              - id: hook
                need: [password]
                file: { path: /etc/hook, content: hi }
            """#)
        #expect(near.description == "ocn.yml:3:5: unknown key 'need' in step 'hook' (did you mean 'needs'?)")
        let far = try Loader.error(
            #"""
            steps:
              - id: hook
                comment: the DDNS hook
                file: { path: /etc/hook, content: hi }
            """#)
        #expect(
            far.description
                == "ocn.yml:3:5: unknown key 'comment' in step 'hook' (a step has id, needs, when, for_each and one of: \(Self.kinds))"
        )
    }

    @Test func kindFieldsMustBeAMapping() throws {
        let error = try Loader.error("steps:\n  - id: keep\n    sysupgrade-keep: [/etc/rt_tables]\n")
        #expect(error.description == "ocn.yml:3:22: the fields of sysupgrade-keep step 'keep' must be a mapping")
    }

    @Test func yamlSyntaxErrorsHaveLineAndColumn() throws {
        let tab = try Loader.error("name: x\nsteps:\n\t- id: a\n")
        #expect(tab.description == "ocn.yml:3:1: a tab is used for indentation (YAML indents with spaces only)")
        let flow = try Loader.error("name: x\nvars:\n  ports: [443, 8443\nsteps: []\n")
        #expect(
            flow.description
                == "ocn.yml:4:6: YAML syntax: did not find expected ',' or ']' (check indentation and quoting)")
        let indent = try Loader.error("name: x\nsteps:\n  - id: a\n   forwarding: { src: lan, dest: wan }\n")
        #expect(
            indent.description
                == "ocn.yml:4:4: YAML syntax: did not find expected '-' indicator (check indentation and quoting)")
        let quote = try Loader.error("name: x\nvars:\n  a: \"open\nsteps: []\n")
        #expect(
            quote.description
                == "ocn.yml:5:1: YAML syntax: found unexpected end of stream (check indentation and quoting)")
    }

    @Test func controlCharacterInTheFileIsOneLineWithALocation() throws {
        let error = try Loader.error("name: x\nvars:\n  a: b\u{1}c\nsteps: []\n")
        #expect(error.description == "ocn.yml:3:7: YAML syntax: control characters are not allowed")
        #expect(!error.description.contains("\n"))
    }

    @Test func duplicateKeyPointsAtTheSecond() throws {
        let error = try Loader.error(
            #"""
            steps:
              - id: a
                forwarding: { src: lan, dest: wan }
                id: b
            """#)
        #expect(error.description == "ocn.yml:4:5: 'id' appears twice in this mapping (first at line 2)")
        let top = try Loader.error("vars: { a: 1 }\nsteps: []\n# more vars\nvars: { b: 2 }\n")
        #expect(top.description == "ocn.yml:4:1: 'vars' appears twice in this mapping (first at line 1)")
        let flow = try Loader.error("steps: []\nvars: { a: 1, a: 2 }\n")
        #expect(flow.description == "ocn.yml:2:9: 'a' appears twice in a mapping")
    }

    /// Yams resolves anchors and aliases while composing: an alias is a copy of the anchored value,
    /// and reports its errors where the anchor was written.
    @Test func aliasesAreCopiesOfTheAnchor() throws {
        let playbook = try Loader.load("vars:\n  a: &x lan\n  b: *x\nsteps: []\n")
        #expect(Loader.scalar(playbook.vars["b"]) == "lan")
        #expect(playbook.vars["b"]?.location?.description == "ocn.yml:2:6")
    }

    @Test func emptyOrNonMappingFiles() throws {
        let empty = try Loader.error("# nothing yet\n")
        #expect(empty.description.hasSuffix("ocn.yml is empty (a playbook has name, vars, secrets and steps)"))
        let list = try Loader.error("- id: a\n")
        #expect(list.description == "ocn.yml:1:1: a playbook must be a mapping (name:, vars:, steps:)")
        let missing = try #require(throws: EngineError.self) {
            try PlaybookLoader().load(path: "/nonexistent/wrtform/ocn.yml", secrets: .placeholders)
        }
        #expect(
            missing.description == "cannot read playbook /nonexistent/wrtform/ocn.yml: no such file (check the path)")
    }

    @Test func badVariableAndSecretNames() throws {
        let variable = try Loader.error("vars:\n  server-ip: 192.168.1.5\nsteps: []\n")
        #expect(variable.description == "ocn.yml:2:3: 'server-ip' is not a valid variable name (letters, digits, _)")
        let both = try Loader.error("vars:\n  pw: x\nsecrets:\n  pw: { env: PW }\nsteps: []\n")
        #expect(both.description == "ocn.yml:4:3: 'pw' is both a variable and a secret")
    }

    @Test func probes() throws {
        let playbook = try Loader.load(
            #"""
            steps: []
            probes:
              - name: the server answers
                command: wget -q -O /dev/null http://192.168.1.5/
            """#)
        #expect(playbook.probes.map(\.description) == ["the server answers"])
        #expect(playbook.probes.map(\.command) == ["wget -q -O /dev/null http://192.168.1.5/"])
        let unknown = try Loader.error("steps: []\nprobes:\n  - name: x\n    comand: true\n")
        #expect(unknown.description == "ocn.yml:4:5: unknown key 'comand' in a probe (did you mean 'command'?)")
        let substituted = try Loader.error(
            "vars: { ip: 1.2.3.4 }\nsteps: []\nprobes:\n  - { name: x, command: \"ping {{ ip }}\" }\n")
        #expect(substituted.description == "ocn.yml:4:26: probe commands take no {{ }} substitution (they are shell)")
    }

    @Test func windowsLineEndings() throws {
        let yaml =
            "vars:\r\n  a: 1\r\nsteps:\r\n  - id: x\r\n    file:\r\n      path: /etc/x\r\n      content: |\r\n        hi\r\n        {{ b }}\r\n"
        let error = try Loader.error(yaml)
        #expect(error.description == "ocn.yml:9:9: unknown variable 'b' (did you mean 'a'?)")
        let duplicate = try Loader.error("vars: {}\r\nsteps: []\r\nvars: {}\r\n")
        #expect(duplicate.description == "ocn.yml:3:1: 'vars' appears twice in this mapping (first at line 1)")
    }

    @Test func emptySectionsAreAbsent() throws {
        let playbook = try Loader.load("vars:\n# none yet\nsecrets:\nprobes:\nsteps: []\n")
        #expect(playbook.vars.isEmpty)
        #expect(playbook.probes.isEmpty)
        let noSteps = try Loader.error("vars:\nsteps:\n")
        #expect(noSteps.description == "ocn.yml:1:1: the playbook has no steps (add a steps: list)")
    }

    @Test func nameAndDescriptionDefaultToTheFile() throws {
        let playbook = try Loader.load("steps: []\n", file: "guest.yml")
        #expect(playbook.name == "guest")
        #expect(playbook.description == "")
        #expect(playbook.steps.isEmpty)
    }
}
