import Foundation
import Testing
import WrtformEngine
import WrtformPlaybook

/// Mistakes a new user makes, each named for what it is.
@Suite struct LoaderDiagnosisTests {
    @Test func aTabUsedForIndentationSaysSo() throws {
        let error = try Loader.error("steps:\n  - id: x\n\tfile: { path: /etc/x, content: y }\n")
        #expect(error.description == "ocn.yml:3:1: a tab is used for indentation (YAML indents with spaces only)")
        let nested = try Loader.error("vars:\n  a: 1\n \t b: 2\nsteps: []\n")
        #expect(nested.description == "ocn.yml:3:2: a tab is used for indentation (YAML indents with spaces only)")
    }

    @Test func anUnquotedPlaceholderSaysQuoteIt() throws {
        let flow = try Loader.error("vars:\n  a: b\nsteps:\n  - id: x\n    file: { path: /etc/x, content: {{ a }} }\n")
        #expect(
            flow.description
                == "ocn.yml:5:36: '{{ a }}' must be quoted: unquoted, YAML reads {{ }} as a mapping (quote it: \"{{ a }}\")"
        )
        let block = try Loader.error(
            "vars:\n  a: b\nsteps:\n  - id: x\n    file:\n      path: /etc/x\n      content: {{ a }}\n")
        #expect(
            block.description
                == "ocn.yml:7:16: '{{ a }}' must be quoted: unquoted, YAML reads {{ }} as a mapping (quote it: \"{{ a }}\")"
        )
    }

    @Test func aBadValueFromVarSaysSo() throws {
        let yaml =
            "vars:\n  label: ok\nsteps:\n  - id: r\n    uci-section: { config: firewall, type: rule, options: { name: \"{{ label }}\" } }\n"
        let loader = try Loader.error(yaml, overrides: ["label": "a\u{1b}b"])
        #expect(
            loader.description
                == "ocn.yml:5:68: a value cannot contain a control character (U+001B) (from --var label) (only a file step's content may hold control characters)"
        )
        // Errors of the step's own checks, through Playbook.attributing (as the CLI reports them).
        let forward = """
            vars:
              server_ip: 192.168.1.20
            steps:
              - id: fwd
                redirect: { src: wan, src_dport: 443, dest_ip: "{{ server_ip }}" }
            """
        let playbook = try Loader.load(forward, overrides: ["server_ip": "192.168.1.500"])
        let error = try #require(throws: EngineError.self) { try Loader.graph(playbook) }
        #expect(
            playbook.attributing(error).description
                == "ocn.yml:5:53: '192.168.1.500' is not a valid IPv4 address (from --var server_ip)")
        // The same value written in the playbook is not blamed on --var.
        let written = try Loader.load(forward.replacingOccurrences(of: "192.168.1.20", with: "192.168.1.500"))
        let plain = try #require(throws: EngineError.self) { try Loader.graph(written) }
        #expect(written.attributing(plain).description == "ocn.yml:5:53: '192.168.1.500' is not a valid IPv4 address")
        // And in a template.
        let hook = try Loader.error(
            LoaderSubstitutionTests.templated, files: ["templates/hook": "X=\"$(( {{ interface }} ))\"\n"],
            overrides: ["interface": "a b"])
        #expect(hook.description.contains("'interface' sits inside $((…))"))
        #expect(hook.description.contains("(from --var interface)"))
    }

    @Test func locationsUseThePathAsTyped() throws {
        let directory = try LoaderDirectory()
        defer { directory.remove() }
        let path = try directory.write(
            "sub/p.yml", "steps:\n  - id: h\n    file: { path: /etc/hotplug.d/iface/50-x, template: t/hook }\n")
        try directory.write("sub/t/hook", "X={{ nope }}\n")
        let error = try #require(throws: EngineError.self) {
            try PlaybookLoader().load(path: path, secrets: .placeholders, locationsAsTyped: true)
        }
        #expect(
            error.description.hasPrefix("\(directory.path)/sub/t/hook:1:3: unknown variable 'nope'"),
            "\(error.description)")
        let yamlError = try #require(throws: EngineError.self) {
            try PlaybookLoader().load(
                path: try directory.write("sub/q.yml", "steps: [\n"), secrets: .placeholders, locationsAsTyped: true)
        }
        #expect(yamlError.location?.file == "\(directory.path)/sub/q.yml")
    }

    @Test func cannotReadPlaybookSaysWhy() throws {
        let directory = try LoaderDirectory()
        defer { directory.remove() }
        let missing = try #require(throws: EngineError.self) {
            try PlaybookLoader().load(path: directory.path + "/nope.yml", secrets: .placeholders)
        }
        #expect(missing.description == "cannot read playbook \(directory.path)/nope.yml: no such file (check the path)")
        let folder = try #require(throws: EngineError.self) {
            try PlaybookLoader().load(path: directory.path, secrets: .placeholders)
        }
        #expect(
            folder.description
                == "cannot read playbook \(directory.path): it is a directory (name the playbook's .yml file in it)")
    }
}
