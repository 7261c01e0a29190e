import Foundation
import Testing
import VirtualRouter

/// Bad input gets one clear line: what is wrong, where, what to do — and nothing on the router changes.
@Suite struct CLIErrorTests {
    func playbook(_ text: String) throws -> String { try CLI.playbook(text, named: "ocn.yml") }

    @Test func typoInStepKind() async throws {
        let path = try playbook(
            """
            name: typo
            steps:
              - id: zone
                firewal-zone: { name: wan_pppoe }
            """)
        let result = await CLI.run(["validate", path])
        #expect(result.code == 1)
        #expect(
            result.stderr == "error: \(path):4:5: unknown step kind 'firewal-zone' (did you mean 'firewall-zone'?)\n")
    }

    @Test func invalidValues() async throws {
        let badIP = try playbook(
            """
            steps:
              - id: fwd
                redirect: { src: wan, src_dport: 443, dest_ip: 192.168.1.500 }
            """)
        let ip = await CLI.run(["validate", badIP])
        #expect(ip.stderr == "error: \(badIP):3:52: '192.168.1.500' is not a valid IPv4 address\n")
        let badPort = try playbook(
            """
            steps:
              - id: fwd
                redirect: { src: wan, src_dport: 70000, dest_ip: 192.168.1.5 }
            """)
        let port = await CLI.run(["validate", badPort])
        #expect(port.stderr == "error: \(badPort):3:38: port 70000 is out of range (1-65535)\n")
    }

    /// The loader's structural errors reach the user as one line with file:line:column.
    @Test(arguments: [
        (
            "steps:\n  - id: fwd\n    forwarding: { src: lan, dest: wan }\n  - id: fwd\n    forwarding: { src: lan, dest: guest }\n",
            "error: DIR/ocn.yml:4:9: duplicate step id 'fwd' (first at line 2)\n"
        ),
        (
            "steps:\n  - id: hook\n    needs: [pasword]\n    file: { path: /etc/hook, content: hi }\n  - id: password\n    file: { path: /etc/pw, content: pw }\n",
            "error: DIR/ocn.yml:3:13: step 'hook' needs unknown step 'pasword' (did you mean 'password'?)\n"
        ),
        (
            "steps:\n  - id: hook\n    file: { path: /etc/hook, template: templates/hok }\n",
            "error: DIR/ocn.yml:3:40: template file 'templates/hok' does not exist (looked for DIR/templates/hok)\n"
        ),
    ])
    func structuralErrors(yaml: String, expected: String) async throws {
        let path = try playbook(yaml)
        let result = await CLI.run(["validate", path])
        let directory = (path as NSString).deletingLastPathComponent
        #expect(result.code == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == expected.replacingOccurrences(of: "DIR", with: directory))
    }

    @Test func timeoutsThatCannotWorkAreRefused() async throws {
        let tooShort = await CLI.run(["rollback", "--host", "127.0.0.1", "--confirm-timeout", "0"])
        #expect(tooShort.code != 0)
        #expect(tooShort.stderr.contains("--confirm-timeout must be 10-3600 seconds"))
        let late = await CLI.run([
            "apply", CLI.ocn, "--host", "127.0.0.1", "--confirm-timeout", "30", "--verify-timeout", "30",
        ])
        #expect(late.code != 0)
        #expect(late.stderr.contains("--verify-timeout (30 s) must be shorter than --confirm-timeout (30 s)"))
    }

    @Test func missingSecretNamesTheVariable() async throws {
        // (withVirtualRouter's body may throw; the router must see no command at all.)
        try await withVirtualRouter { router in
            var environment = CLI.environment()
            environment["WRTFORM_DDNS_PASSWORD"] = nil
            let result = await CLI.run(["plan", CLI.ocn] + CLI.target(router), environment: environment)
            #expect(result.code == 1)
            #expect(result.stderr.hasPrefix("error: \(CLI.ocn):"))
            #expect(
                result.stderr.contains(
                    "secret 'ddns_password' needs the environment variable WRTFORM_DDNS_PASSWORD, which is not set (export WRTFORM_DDNS_PASSWORD=… before running wrtform)"
                ))
            let log = try router.commandLog()
            #expect(log.isEmpty)
        }
    }

    @Test func unknownHostKeyIsRefusedWithItsFingerprint() async throws {
        try await withVirtualRouter { router in
            let empty = try CLI.temporaryDirectory().appendingPathComponent("known_hosts")
            try Data().write(to: empty)
            let target = [
                "--host", router.host, "--port", String(router.port), "--identity", router.clientKeyFile,
                "--known-hosts", empty.path,
            ]
            let result = await CLI.run(["facts"] + target)
            #expect(result.code == 1)
            #expect(result.stderr.contains(router.hostKeyFingerprint))
            #expect(result.stderr.contains("--accept-new-host-key"))
            #expect(result.stderr.split(separator: "\n").count >= 1)
            #expect(try router.commandLog().isEmpty)
            let accepted = await CLI.run(["facts", "--accept-new-host-key"] + target)
            #expect(accepted.code == 0)
            #expect(try String(contentsOf: empty, encoding: .utf8).contains("[\(router.host)]:\(router.port)"))
        }
    }

    @Test func wrongKeyAndNoRouter() async throws {
        try await withVirtualRouter { router in
            let other = try CLI.temporaryDirectory().appendingPathComponent("id_other")
            try FileManager.default.copyItem(atPath: router.clientKeyFile, toPath: other.path)
            try await withVirtualRouter { second in
                // The second router's key is not authorized on the first.
                let target = [
                    "--host", router.host, "--port", String(router.port), "--identity", second.clientKeyFile,
                    "--known-hosts", router.knownHostsFile,
                ]
                let result = await CLI.run(["facts"] + target)
                #expect(result.code == 1)
                #expect(result.stderr.contains("refused"))
                #expect(result.stderr.contains("--password"))
            }
        }
        let nothing = await CLI.run([
            "facts", "--host", "127.0.0.1", "--port", "1", "--known-hosts", "/dev/null", "--connect-timeout", "2",
        ])
        #expect(nothing.code == 1)
        #expect(nothing.stderr.hasPrefix("error: "))
    }

    @Test func missingTargetAndBadVar() async throws {
        let none = await CLI.run(["plan", CLI.ocn])
        #expect(none.code == 1)
        #expect(
            none.stderr.contains(
                "name the router: --host ADDRESS (or --inventory FILE --limit NAME, or --root DIR for a local directory)"
            ))
        let badVar = await CLI.run(["validate", CLI.ocn, "--var", "server=192.168.1.9"])
        #expect(
            badVar.stderr == "error: --var server: the playbook has no variable 'server' (did you mean 'server_ip'?)\n")
    }
}

/// A bad command line is one line too, `error:` as every other error, naming the help to read.
@Suite struct CLIUsageErrorTests {
    @Test(arguments: [
        (
            ["apply", "pb.yml", "--host", "gw", "--json"],
            "error: --json needs --yes (there is no one to ask) (see 'wrtform apply --help')\n"
        ),
        (
            ["plan", "pb.yml", "--host", "gw", "--confirm-timeout", "5"],
            "error: Unknown option '--confirm-timeout' (see 'wrtform plan --help')\n"
        ),
        (
            ["fleet", "--inventory", "f.yml", "apply", "pb.yml"],
            "error: apply on several hosts needs --yes (plan them first: wrtform fleet … plan …) (see 'wrtform fleet --help')\n"
        ),
        (
            ["fleet", "--inventory", "f.yml", "--max-failures"],
            "error: Missing value for '--max-failures <max-failures>' (see 'wrtform fleet --help')\n"
        ),
    ])
    func oneLine(arguments: [String], expected: String) async {
        let result = await CLI.run(arguments)
        #expect(result.code == 1)
        #expect(result.stderr == expected)
        #expect(result.stdout.isEmpty)
    }
}
