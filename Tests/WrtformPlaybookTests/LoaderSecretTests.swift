import Foundation
import Testing
import WrtformEngine
import WrtformPlaybook

/// Secrets from the environment, owner-only files and a prompt — and never in an error.
@Suite struct LoaderSecretTests {
    static let playbook = #"""
        secrets:
          pw: { env: WRTFORM_PPPOE_PASSWORD }
          user: { file: user.secret }
          ddns: { prompt: "Value Domain password: " }
        steps:
          - id: wanppp
            interface:
              name: wanppp
              proto: pppoe
              device: wan
              username: "ocn-{{ user }}"
              password: "{{ pw }}"
          - id: ddns-password
            file: { path: /etc/wrtform/ddns.secret, content: "{{ ddns }}", mode: "0600" }
        """#

    static let question = "Value Domain password: "
    static let environment = ["WRTFORM_PPPOE_PASSWORD": LoaderSecrets.pppoePassword, "HOME": "/root"]

    /// A directory with the playbook and its username file; `mode` and `content` of that file vary.
    struct Setup {
        let directory: LoaderDirectory
        let path: String

        init(
            yaml: String = LoaderSecretTests.playbook, userFile: String? = LoaderSecrets.pppoeUsername + "\n",
            mode: Int = 0o600
        ) throws {
            directory = try LoaderDirectory()
            path = try directory.write("ocn.yml", yaml)
            if let userFile { try directory.write("user.secret", userFile, mode: mode) }
        }

        func load(
            environment: [String: String] = LoaderSecretTests.environment,
            prompter: FakePrompter? = FakePrompter([LoaderSecretTests.question: LoaderSecrets.ddnsPassword])
        ) throws -> Playbook {
            try PlaybookLoader().load(path: path, secrets: .resolve(environment: environment, prompter: prompter))
        }

        func error(
            environment: [String: String] = LoaderSecretTests.environment,
            prompter: FakePrompter? = FakePrompter([LoaderSecretTests.question: LoaderSecrets.ddnsPassword]),
            sourceLocation: Testing.SourceLocation = #_sourceLocation
        ) throws -> EngineError {
            let error = try #require(throws: EngineError.self, sourceLocation: sourceLocation) {
                try load(environment: environment, prompter: prompter)
            }
            LoaderSecrets.expectNoSecret(in: error, sourceLocation: sourceLocation)
            return error
        }

        func remove() { directory.remove() }
    }

    @Test func allThreeSourcesResolve() throws {
        let setup = try Setup()
        defer { setup.remove() }
        let prompter = FakePrompter([Self.question: LoaderSecrets.ddnsPassword])
        let playbook = try setup.load(prompter: prompter)
        let wanppp = try Loader.step(playbook, "wanppp").input
        #expect(Loader.scalar(wanppp.fields["password"]) == LoaderSecrets.pppoePassword)
        #expect(wanppp.fields["password"]?.isSecret == true)
        // From the file, its trailing newline stripped; embedded in a longer value, still secret.
        #expect(Loader.scalar(wanppp.fields["username"]) == "ocn-" + LoaderSecrets.pppoeUsername)
        #expect(wanppp.fields["username"]?.isSecret == true)
        #expect(wanppp.fields["name"]?.isSecret == false)
        #expect(wanppp.fields["proto"]?.isSecret == false)
        let file = try Loader.step(playbook, "ddns-password").input
        #expect(Loader.scalar(file.fields["content"]) == LoaderSecrets.ddnsPassword)
        #expect(file.fields["content"]?.isSecret == true)
        #expect(prompter.questions == [Self.question])
        #expect(playbook.secretValues.sorted() == LoaderSecrets.all.sorted())

        let graph = try Loader.graph(playbook)
        let interface = try #require(graph.ordered.first as? InterfaceStep)
        #expect(interface.secretKeys.isSuperset(of: ["username", "password"]))
        let secretFile = try #require(graph.ordered.last as? FileStep)
        #expect(secretFile.writesSecretFile)
    }

    @Test func aSecretUsedTwiceIsAskedForOnce() throws {
        let yaml =
            Self.playbook + "\n" + #"""
                  - id: ddns-copy
                    file: { path: /etc/wrtform/ddns.copy, content: "{{ ddns }}", mode: "0600" }
                """#
        let setup = try Setup(yaml: yaml)
        defer { setup.remove() }
        let prompter = FakePrompter([Self.question: LoaderSecrets.ddnsPassword])
        let playbook = try setup.load(prompter: prompter)
        #expect(prompter.questions == [Self.question])
        #expect(
            Loader.scalar(try Loader.step(playbook, "ddns-copy").input.fields["content"]) == LoaderSecrets.ddnsPassword)
        #expect(playbook.secretValues.count == 3)
    }

    @Test func unsetEnvironmentVariableIsNamed() throws {
        let setup = try Setup()
        defer { setup.remove() }
        let error = try setup.error(environment: ["HOME": "/root"])
        #expect(
            error.description
                == "ocn.yml:2:14: secret 'pw' needs the environment variable WRTFORM_PPPOE_PASSWORD, which is not set (export WRTFORM_PPPOE_PASSWORD=… before running wrtform)"
        )
        let empty = try setup.error(environment: ["WRTFORM_PPPOE_PASSWORD": ""])
        #expect(
            empty.description == error.description.replacingOccurrences(of: "which is not set", with: "which is empty"))
    }

    @Test func fileOthersCanReadIsRefused() throws {
        let setup = try Setup(mode: 0o644)
        defer { setup.remove() }
        let error = try setup.error()
        #expect(
            error.description
                == "ocn.yml:3:17: secret 'user' reads user.secret, which others can read (mode 0644) (chmod 600 \(setup.directory.path)/user.secret)"
        )
        for mode in [0o640, 0o604, 0o660] {
            let other = try Setup(mode: mode)
            defer { other.remove() }
            #expect(try other.error().message.hasSuffix("(mode 0\(String(mode, radix: 8)))"))
        }
    }

    @Test func ownerOnlyFileIsRead() throws {
        for mode in [0o600, 0o400] {
            let setup = try Setup(userFile: LoaderSecrets.pppoeUsername + "\r\n\n", mode: mode)
            defer { setup.remove() }
            let playbook = try setup.load()
            #expect(
                Loader.scalar(try Loader.step(playbook, "wanppp").input.fields["username"]) == "ocn-"
                    + LoaderSecrets.pppoeUsername)
        }
    }

    @Test func fileBehindASymlinkIsJudgedByItsOwnMode() throws {
        let setup = try Setup(userFile: nil)
        defer { setup.remove() }
        let real = try setup.directory.write("real.secret", LoaderSecrets.pppoeUsername + "\n", mode: 0o600)
        try FileManager.default.createSymbolicLink(
            atPath: setup.directory.path + "/user.secret", withDestinationPath: real)
        let playbook = try setup.load()
        #expect(
            Loader.scalar(try Loader.step(playbook, "wanppp").input.fields["username"]) == "ocn-"
                + LoaderSecrets.pppoeUsername)
        try FileManager.default.setAttributes([.posixPermissions: NSNumber(value: 0o644)], ofItemAtPath: real)
        #expect(try setup.error().message == "secret 'user' reads user.secret, which others can read (mode 0644)")
    }

    @Test func missingFile() throws {
        let setup = try Setup(userFile: nil)
        defer { setup.remove() }
        let error = try setup.error()
        #expect(
            error.description
                == "ocn.yml:3:17: secret 'user' reads user.secret, which cannot be read (create \(setup.directory.path)/user.secret with mode 0600)"
        )
    }

    @Test func absoluteFilePath() throws {
        let elsewhere = try LoaderDirectory()
        defer { elsewhere.remove() }
        let file = try elsewhere.write("pppoe-user", LoaderSecrets.pppoeUsername, mode: 0o600)
        let setup = try Setup(
            yaml: Self.playbook.replacingOccurrences(of: "file: user.secret", with: "file: \(file)"), userFile: nil)
        defer { setup.remove() }
        // Outside the playbook's directory: only with --allow-outside-templates.
        let refused = try setup.error()
        #expect(
            refused.description.hasPrefix(
                "ocn.yml:3:17: secret 'user' reads \(file), which is outside the playbook's directory"))
        let playbook = try PlaybookLoader().load(
            path: setup.path,
            secrets: .resolve(environment: Self.environment, prompter: FakePrompter([Self.question: "x"])),
            allowOutsideFiles: true)
        #expect(
            Loader.scalar(try Loader.step(playbook, "wanppp").input.fields["username"]) == "ocn-"
                + LoaderSecrets.pppoeUsername)
    }

    @Test func controlCharactersInASecretAreRefusedWithoutQuotingIt() throws {
        let setup = try Setup(userFile: LoaderSecrets.pppoeUsername + "\nsecond line\n")
        defer { setup.remove() }
        let error = try setup.error()
        #expect(error.description == "ocn.yml:3:17: secret 'user' contains a control character (newline, NUL, …)")
        let environment = ["WRTFORM_PPPOE_PASSWORD": LoaderSecrets.pppoePassword + "\u{0}"]
        let nul = try Setup()
        defer { nul.remove() }
        #expect(
            try nul.error(environment: environment).description
                == "ocn.yml:2:14: secret 'pw' contains a control character (newline, NUL, …)")
        let prompted = try Setup()
        defer { prompted.remove() }
        let answer = FakePrompter([Self.question: LoaderSecrets.ddnsPassword + "\u{1b}[2J"])
        #expect(
            try prompted.error(prompter: answer).description
                == "ocn.yml:4:20: secret 'ddns' contains a control character (newline, NUL, …)")
    }

    @Test func promptWithoutATerminal() throws {
        let setup = try Setup()
        defer { setup.remove() }
        let error = try setup.error(prompter: nil)
        #expect(
            error.description
                == "ocn.yml:4:20: secret 'ddns' is asked for on a terminal, and stdin is not one (give it with env: or file: for unattended runs)"
        )
    }

    @Test func placeholdersNeedNoSecrets() throws {
        // No environment, no file, no terminal: validate and graph still work.
        let setup = try Setup(userFile: nil)
        defer { setup.remove() }
        let playbook = try PlaybookLoader().load(path: setup.path, secrets: .placeholders)
        let wanppp = try Loader.step(playbook, "wanppp").input
        #expect(wanppp.fields["password"]?.isSecret == true)
        #expect(wanppp.fields["username"]?.isSecret == true)
        let values = [wanppp.fields["password"], wanppp.fields["username"]].compactMap(Loader.scalar)
        #expect(values.count == 2)
        #expect(
            !values.contains { $0.contains(LoaderSecrets.pppoePassword) || $0.contains(LoaderSecrets.pppoeUsername) })
        #expect(try Loader.graph(playbook).ordered.map(\.id) == ["wanppp", "ddns-password"])
    }

    @Test func secretSourcesAreChecked() throws {
        let inline = try Loader.error("secrets:\n  pw: \(LoaderSecrets.pppoePassword)\nsteps: []\n")
        #expect(
            inline.description
                == "ocn.yml:2:7: secret 'pw' must say where it comes from: { env: VAR }, { file: PATH } or { prompt: TEXT } (secret values are never written in a playbook)"
        )
        let near = try Loader.error("secrets:\n  pw: { envv: PW }\nsteps: []\n")
        #expect(near.description == "ocn.yml:2:9: secret 'pw' has an unknown source 'envv' (did you mean 'env'?)")
        let far = try Loader.error("secrets:\n  pw: { vault: pppoe }\nsteps: []\n")
        #expect(far.description == "ocn.yml:2:9: secret 'pw' has an unknown source 'vault' (use env, file or prompt)")
        let two = try Loader.error("secrets:\n  pw: { env: PW, file: pw.secret }\nsteps: []\n")
        #expect(two.message.hasPrefix("secret 'pw' must say where it comes from"))
    }

    @Test func aSecretInAListMarksTheList() throws {
        let yaml = #"""
            secrets:
              key: { env: WG_KEY }
            steps:
              - id: wg
                uci-section:
                  config: network
                  type: interface
                  name: wg0
                  options: { proto: wireguard, private_key: "{{ key }}", addresses: ["10.0.0.1/24", "{{ key }}"] }
            """#
        let playbook = try Loader.load(
            yaml, secrets: .resolve(environment: ["WG_KEY": LoaderSecrets.pppoePassword], prompter: nil))
        guard case .map(let options)? = try Loader.step(playbook, "wg").input.fields["options"]?.value else {
            Issue.record("options is not a mapping")
            return
        }
        #expect(options["private_key"]?.isSecret == true)
        #expect(options["addresses"]?.isSecret == true)
        #expect(options["proto"]?.isSecret == false)
        #expect(try Loader.step(playbook, "wg").input.fields["options"]?.isSecret == true)
    }

    @Test func loaderErrorsAboutASecretValueNameTheSecret() throws {
        let secrets = SecretResolution.resolve(environment: ["PW": LoaderSecrets.pppoePassword], prompter: nil)
        let list = try Loader.error(
            "vars:\n  v: [a]\nsecrets:\n  pw: { env: PW }\nsteps:\n  - id: s\n    interface: { name: lan, x: \"{{ pw }}-{{ v }}\" }\n",
            secrets: secrets)
        #expect(
            list.description == "ocn.yml:7:42: variable 'v' is a list or mapping: it can only stand alone in a value")
    }

    /// A step's validation message names the value it refuses — but never a secret one.
    @Test func engineValidationOfASecretValue() throws {
        // (A secret in a redirect is refused at load: LoaderSecretPlacesTests.)
        let yaml =
            "secrets:\n  pw: { env: PW }\nsteps:\n  - id: wan\n    interface: { name: wanppp, proto: pppoe, metric: \"{{ pw }}\" }\n"
        let playbook = try Loader.load(
            yaml, secrets: .resolve(environment: ["PW": LoaderSecrets.pppoePassword], prompter: nil))
        let error = try #require(throws: EngineError.self) { try Loader.graph(playbook) }
        #expect(error.location?.description == "ocn.yml:5:55")
        LoaderSecrets.expectNoSecret(in: error)
        #expect(error.description == "ocn.yml:5:55: metric '(secret)' is not a non-negative number")
        _ = playbook
    }
}
