import Foundation
import Testing
import WrtformEngine
import WrtformPlaybook
import WrtformUCI

/// Values rendered into file text are escaped for the quotes they land in, byte by byte: a `'`
/// followed by a combining mark (one Character) or "\r\n" (one Character) cannot end a quote or
/// a line. Proven by running the rendered 40-pppoe hook in busybox ash, the router's shell.
@Suite struct TemplateQuotingTests {
    /// The hook's seven values, in the order the template assigns them.
    static let hookValues = [
        ("interface", "DDNS_INTERFACE"), ("ddns_domain", "DDNS_DOMAIN"), ("ddns_hosts", "DDNS_HOSTS"),
        ("ddns_endpoint", "DDNS_ENDPOINT"), ("ddns_interval", "DDNS_INTERVAL"), ("ddns_retries", "DDNS_RETRIES"),
        ("ddns_password_file", "DDNS_PASSWORD_FILE"),
    ]

    /// The OCN playbook loaded from the repository with `--var` overrides; its rendered hook.
    static func renderHook(_ overrides: [String: String]) throws -> String {
        let playbook = try PlaybookLoader().load(
            path: LoaderPaths.playbook("ocn-dualstack-pppoe.yml"), overrides: overrides, secrets: .placeholders)
        let hook = try Loader.step(playbook, "ddns-hook")
        return try #require(Loader.scalar(hook.input.fields["content"]))
    }

    /// A scratch directory with the rendered hook and a marker path an injected command would create.
    struct Shell {
        let directory: URL
        var marker: String { directory.appendingPathComponent("PWNED").path }

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "wrtform-quoting-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }

        func remove() { try? FileManager.default.removeItem(at: directory) }

        static func run(_ arguments: [String]) throws -> (status: Int32, output: Data) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: arguments[0])
            process.arguments = Array(arguments.dropFirst())
            process.environment = ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin"]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            process.standardInput = FileHandle.nullDevice
            try process.run()
            let output = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, output)
        }

        /// `sh -n` (dash) and `ash -n` (busybox) on the hook, then the hook sourced by busybox ash as
        /// hotplug-call does (no INTERFACE: it exits at its filter), an EXIT trap printing each
        /// value NUL-terminated. Returns the values as bytes.
        func runHook(_ text: String, variables: [String]) throws -> [[UInt8]] {
            let hook = directory.appendingPathComponent("40-pppoe")
            try Data(text.utf8).write(to: hook)
            let dash = try Self.run(["/bin/sh", "-n", hook.path])
            #expect(dash.status == 0, "sh -n refused the rendered hook")
            let ash = try Self.run(["/bin/busybox", "ash", "-n", hook.path])
            #expect(ash.status == 0, "ash -n refused the rendered hook")
            let printed = variables.map { "\"$\($0)\"" }.joined(separator: " ")
            let runner = directory.appendingPathComponent("hotplug-call")
            // As hotplug-call: sourced in a subshell, whose EXIT trap prints what the hook assigned.
            try Data("( trap 'printf \"%s\\\\0\" \(printed)' EXIT; . '\(hook.path)' )\n".utf8).write(to: runner)
            let result = try Self.run(["/bin/busybox", "ash", runner.path])
            let fields = result.output.split(separator: 0, omittingEmptySubsequences: false).map(Array.init)
            return Array(fields.prefix(variables.count))
        }
    }

    @Test func combiningMarkAfterAQuoteDoesNotEndTheQuotes() throws {
        let shell = try Shell()
        defer { shell.remove() }
        // The audit's value: `'` + U+0301 is one Character, so a Character check saw no quote.
        let domain = "example.com'\u{301}; touch \(shell.marker); : '\u{301}"
        let hook = try Self.renderHook(["ddns_domain": domain])
        #expect(hook.utf8.contains(UInt8(ascii: "'")))
        let values = try shell.runHook(hook, variables: ["DDNS_DOMAIN"])
        #expect(values.first == Array(domain.utf8), "the value did not come back byte for byte")
        #expect(!FileManager.default.fileExists(atPath: shell.marker), "a command in the value ran")
    }

    @Test func lineBreaksAreRefusedByScalarNotCharacter() throws {
        // "\r\n" is one Character: a Character search for "\n" does not find it.
        for value in ["example.com\r\n; touch /tmp/x", "a\rb", "a\u{85}\nb"] {
            let error = try #require(throws: EngineError.self) { try Self.renderHook(["ddns_domain": value]) }
            #expect(
                error.description.hasPrefix("templates/40-pppoe:20:14: 'ddns_domain' contains a line break"),
                "\(error.description)")
        }
        let control = try #require(throws: EngineError.self) { try Self.renderHook(["ddns_hosts": "@\u{1b}[2J"]) }
        #expect(control.description.contains("'ddns_hosts' contains a control character (U+001B)"))
    }

    @Test func aSecretInATemplateIsEscapedToo() throws {
        let yaml = LoaderSubstitutionTests.templated.replacingOccurrences(
            of: "steps:", with: "secrets:\n  password: { env: PW }\nsteps:")
        let secret = "pw'\u{301}$(id)\"`x`\\"
        let playbook = try Loader.load(
            yaml, files: ["templates/hook": "PASSWORD='{{ password }}'\nQ=\"{{ password }}\"\nU={{ password }}\n"],
            secrets: .resolve(environment: ["PW": secret], prompter: nil))
        let content = try #require(Loader.step(playbook, "hook").input.fields["content"])
        #expect(content.isSecret)
        let shell = try Shell()
        defer { shell.remove() }
        let values = try shell.runHook(Loader.scalar(content) ?? "", variables: ["PASSWORD", "Q", "U"])
        #expect(values == Array(repeating: Array(secret.utf8), count: 3))
    }

    /// Each quoting context a template can put a placeholder in.
    @Test func eachContextIsEscapedForItsQuotes() throws {
        let value = "a b'\"\\$`;#(){}*?~&|<>!é\u{301}\u{200D}"
        let template = """
            #!/bin/sh
            S='{{ interface }}'
            D="{{ interface }}"
            U={{ interface }}
            C="$(printf '%s' '{{ interface }}')"
            N="$(printf '%s' "x{{ interface }}")"
            # a comment: {{ interface }}
            """ + "\n"
        let shell = try Shell()
        defer { shell.remove() }
        let loaded = try Loader.load(
            LoaderSubstitutionTests.templated, files: ["templates/hook": template], overrides: ["interface": value])
        let text = try #require(Loader.scalar(Loader.step(loaded, "hook").input.fields["content"]))
        let back = try shell.runHook(text, variables: ["S", "D", "U", "C", "N"])
        #expect(back.prefix(4).map { $0 } == Array(repeating: Array(value.utf8), count: 4))
        #expect(back.last == Array(("x" + value).utf8))
    }

    @Test func placesWhereNoQuotingHelpsTakeOnlyPlainValues() throws {
        let cases = [
            ("cat <<EOF\n{{ interface }}\nEOF\n", "a here-document"),
            ("X=`echo {{ interface }}`\n", "`…`"),
            ("X=${Y:-{{ interface }}}\n", "${…}"),
            ("X=$(( {{ interface }} + 1 ))\n", "$((…))"),
            ("X=$'{{ interface }}'\n", "$'…'"),
        ]
        for (template, place) in cases {
            let error = try Loader.error(
                LoaderSubstitutionTests.templated, files: ["templates/hook": template], overrides: ["interface": "a'b"])
            #expect(error.description.contains("'interface' sits inside \(place)"), "\(error.description)")
            // A plain value goes there as it is.
            let playbook = try Loader.load(
                LoaderSubstitutionTests.templated, files: ["templates/hook": template],
                overrides: ["interface": "wan-1.2"])
            #expect(
                try Loader.scalar(Loader.step(playbook, "hook").input.fields["content"])?.contains("wan-1.2") == true)
        }
        // After the here-document ends, quoting works again.
        let after = try Loader.load(
            LoaderSubstitutionTests.templated, files: ["templates/hook": "cat <<'EOF'\nx\nEOF\nA='{{ interface }}'\n"],
            overrides: ["interface": "a'b"])
        #expect(
            try Loader.scalar(Loader.step(after, "hook").input.fields["content"])
                == "cat <<'EOF'\nx\nEOF\nA='a'\\''b'\n")
    }

    @Test func uciFilesAreQuotedAsUciReadsThem() throws {
        let yaml = """
            vars:
              label: x
            steps:
              - id: cfg
                file:
                  path: /etc/config/wrtformtest
                  template: templates/cfg
            """
        let template = "config rule 'r'\n\toption s '{{ label }}'\n\toption d \"{{ label }}\"\n\toption u {{ label }}\n"
        let value = "a'\u{301}b\"c\\d$e #f;g"
        let playbook = try Loader.load(yaml, files: ["templates/cfg": template], overrides: ["label": value])
        let text = try #require(Loader.scalar(Loader.step(playbook, "cfg").input.fields["content"]))
        let file = try UCIFile(parsing: text, path: "/etc/config/wrtformtest")
        let section = try #require(file.sections.first)
        for key in ["s", "d", "u"] {
            #expect(section[key] == .single(value), "option \(key) read back as \(String(describing: section[key]))")
        }
    }

    /// Random Unicode — combining marks, ZWJ sequences, CR, NEL, U+2028, quotes, shell syntax —
    /// as `--var` values of the real 40-pppoe hook: either refused with a located error, or the
    /// hook parses (`sh -n`, `ash -n`), runs no command, and gives every value back byte for byte.
    @Test func fuzzedValuesComeBackByteIdenticalAndRunNothing() async throws {
        let shell = try Shell()
        defer { shell.remove() }
        let fragments = [
            "'", "\u{301}", "'\u{301}", "\"", "\\", "$", "`", "(", ")", ";", "&", "|", " ", "#", "{", "}", "}}", "*",
            "?",
            "~", "!", "<", ">", "=", "\t", "\u{85}", "\u{2028}", "\u{2029}", "\u{200D}", "\u{FEFF}",
            "👨‍👩‍👧", "é", "e\u{301}", "\u{1F3F3}\u{FE0F}\u{200D}\u{1F308}", "a", "Z", "9", "-", ".", "/", "@",
            "$(touch \(shell.marker))", "`touch \(shell.marker)`", "'; touch \(shell.marker); '",
            "\"; touch \(shell.marker); \"",
            "'\u{301}; touch \(shell.marker); : '\u{301}", "'\\''", "\\'", "${IFS}", "$((1+1))", "<<EOF",
        ]
        let breaking = ["\r", "\n", "\r\n", "\u{1b}", "\u{7f}"]
        var generator = PlaybookFuzzTests.Generator(state: 20_261_204)
        var accepted = 0
        var refused = 0
        let runs = 250
        for _ in 0..<runs {
            // Long loops on 2 cores: let the tests waiting on timers and routers run between rounds.
            await Task.yield()
            var overrides: [String: String] = [:]
            for (name, _) in Self.hookValues {
                let count = Int.random(in: 1...8, using: &generator)
                overrides[name] = (0..<count).map { _ in
                    // Now and then what no quoting carries (refused), mostly what quoting must carry.
                    Int.random(in: 0..<60, using: &generator) == 0
                        ? breaking.randomElement(using: &generator) ?? ""
                        : fragments.randomElement(using: &generator) ?? ""
                }.joined()
            }
            let hook: String
            do {
                hook = try Self.renderHook(overrides)
            } catch let error as EngineError {
                refused += 1
                // Refused only for what no quoting carries (a line break, a control character), or a
                // `{{` in a --var value, in the template or in another step that uses the value first.
                let text = error.description
                #expect(
                    ["newline", "line break", "control character", "{{ variables }}"].contains { text.contains($0) },
                    "\(text)")
                #expect(!text.contains("\n"), "more than one line: \(text)")
                continue
            }
            accepted += 1
            let values = try shell.runHook(hook, variables: Self.hookValues.map(\.1))
            for (index, (name, _)) in Self.hookValues.enumerated() {
                let expected = Array((overrides[name] ?? "").utf8)
                #expect(
                    values.indices.contains(index) && values[index] == expected,
                    "\(name) did not come back byte for byte")
            }
            #expect(!FileManager.default.fileExists(atPath: shell.marker), "a command in a value ran")
        }
        print("template quoting fuzz: \(runs) renders of 40-pppoe, \(accepted) ran in busybox ash, \(refused) refused")
        #expect(accepted > runs / 10)
    }
}
