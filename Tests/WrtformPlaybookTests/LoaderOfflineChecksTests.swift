import Foundation
import Testing
import WrtformEngine
import WrtformPlaybook

/// What needs no router is checked at load, so `validate` finds it; a secret file is never
/// silently altered.
@Suite struct LoaderOfflineChecksTests {
    @Test(arguments: ["\u{1b}[31m", "\u{7f}", "\u{9b}2J", "\t"])
    func controlCharactersInNamesAreRefusedAtLoad(_ bad: String) throws {
        let escaped = bad.unicodeScalars.map { String(format: "\\u%04X", $0.value) }.joined()
        let yaml =
            "steps:\n  - id: fwd\n    redirect: { name: \"web\(escaped)\", src_dport: 80, dest_ip: 192.168.1.2 }\n"
        // validate loads with placeholders for secrets and builds the graph: no router.
        let error = try Loader.error(yaml, secrets: .placeholders)
        let code = String(format: "%04X", bad.unicodeScalars.first?.value ?? 0)
        #expect(
            error.description
                == "ocn.yml:3:24: a value cannot contain a control character (U+\(code)) (only a file step's content may hold control characters)"
        )
    }

    @Test func aSecretFileThatIsNotUTF8IsRefusedNotAltered() throws {
        let directory = try LoaderDirectory()
        defer { directory.remove() }
        let path = try directory.write(
            "p.yml",
            "secrets:\n  pw: { file: pw.secret }\nsteps:\n  - id: i\n    interface: { name: wanppp, proto: pppoe, password: \"{{ pw }}\" }\n"
        )
        let secret = directory.url.appendingPathComponent("pw.secret")
        try Data([0x70, 0x77, 0xFF, 0xFE, 0x21]).write(to: secret)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: secret.path)
        let error = try #require(throws: EngineError.self) {
            try PlaybookLoader().load(path: path, secrets: .resolve(environment: [:], prompter: nil))
        }
        #expect(
            error.description
                == "p.yml:2:15: secret 'pw' reads pw.secret, which is not UTF-8 text (wrtform carries secrets as text: save the file as UTF-8)"
        )
    }

    @Test func aTemplateThatIsNotUTF8IsRefusedNotAltered() throws {
        let directory = try LoaderDirectory()
        defer { directory.remove() }
        let path = try directory.write(
            "p.yml", "steps:\n  - id: h\n    file: { path: /etc/hotplug.d/iface/50-x, template: t }\n")
        try Data([0x23, 0xFF, 0x0A]).write(to: directory.url.appendingPathComponent("t"))
        let error = try #require(throws: EngineError.self) {
            try PlaybookLoader().load(path: path, secrets: .placeholders)
        }
        #expect(error.description == "p.yml:3:56: template file 't' is not UTF-8 text")
    }
}
