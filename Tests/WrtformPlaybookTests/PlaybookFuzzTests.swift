import Foundation
import Testing
import WrtformEngine
import WrtformPlaybook

/// A generator-based fuzz run of the playbook loader: mutated playbooks must load or fail with one
/// located error — no crash, no hang, and never a secret in the message.
@Suite struct PlaybookFuzzTests {
    /// A small deterministic generator (SplitMix64), so a failure can be replayed from its seed.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let fragments = [
        ":", "- ", "{{", "}}", "{{ server_ip }}", "{{ nope }}", "\n  ", "\t", "'", "\"", "[", "]", "{", "}", "#", "&a",
        "*a", "!!str ",
        "| \n", "\u{0}", "é", "firewal-zone", "needs: [zz]", "when: x", "for_each: server_ip",
        "\n- id: x\n  file: {path: /tmp/x, template: nope}",
    ]

    @Test func mutatedPlaybooksFailCleanly() async throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let original = try String(
            contentsOf: repository.appendingPathComponent("Playbooks/ocn-dualstack-pppoe.yml"), encoding: .utf8)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "wrtform-fuzz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("templates"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.copyItem(
            at: repository.appendingPathComponent("Playbooks/templates/40-pppoe"),
            to: directory.appendingPathComponent("templates/40-pppoe"))
        let secrets = [
            "WRTFORM_PPPOE_USERNAME": "fuzz-user-S3cr3t", "WRTFORM_PPPOE_PASSWORD": "fuzz-pw-S3cr3t",
            "WRTFORM_DDNS_PASSWORD": "fuzz-dd-S3cr3t",
        ]
        let path = directory.appendingPathComponent("fuzz.yml").path
        var generator = Generator(state: 20_261_126)
        var loaded = 0
        var rejected = 0
        let runs = 1_500
        for _ in 0..<runs {
            // Long loops on 2 cores: let the tests waiting on timers and routers run between rounds.
            await Task.yield()
            var text = Array(original)
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let at = Int.random(in: 0...text.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: text.insert(contentsOf: Self.fragments.randomElement(using: &generator) ?? "", at: at)
                case 1:
                    if at < text.count {
                        text.removeSubrange(at..<min(text.count, at + Int.random(in: 1...12, using: &generator)))
                    }
                default:
                    if at < text.count {
                        text[at] = Character(Unicode.Scalar(UInt8.random(in: 32...126, using: &generator)))
                    }
                }
            }
            let source = String(text)
            try source.write(toFile: path, atomically: true, encoding: .utf8)
            let lines = source.split(separator: "\n", omittingEmptySubsequences: false).count
            do {
                let playbook = try PlaybookLoader().load(
                    path: path, secrets: .resolve(environment: secrets, prompter: nil))
                for step in playbook.steps where !step.skipped { _ = try? StepCatalog.make(step.input) }
                loaded += 1
            } catch let error as EngineError {
                rejected += 1
                #expect(!error.description.contains("S3cr3t"), "a secret in: \(error.description)")
                #expect(!error.description.contains("\n"), "more than one line: \(error.description)")
                if let location = error.location, location.file == "fuzz.yml" {
                    #expect(location.line >= 1 && location.line <= lines + 1, "\(error.description)")
                }
            }
        }
        print("playbook fuzz: \(runs) mutated playbooks, \(loaded) loaded, \(rejected) rejected with a located error")
        #expect(loaded + rejected == runs)
        #expect(rejected > 0)
    }
}
