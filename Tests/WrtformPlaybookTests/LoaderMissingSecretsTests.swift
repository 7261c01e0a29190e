import Foundation
import Testing
import WrtformEngine
import WrtformPlaybook

/// Missing secrets are reported all at once; an empty variable is called empty; the local journal
/// copy keeps no hash a guess could be tested against.
@Suite struct LoaderMissingSecretsTests {
    static var ocn: String { LoaderPaths.playbook("ocn-dualstack-pppoe.yml") }

    @Test func everyMissingSecretIsReportedAtOnce() throws {
        let error = try #require(throws: EngineError.self) {
            try PlaybookLoader().load(
                path: Self.ocn, secrets: .resolve(environment: ["WRTFORM_PPPOE_PASSWORD": ""], prompter: nil))
        }
        LoaderSecrets.expectNoSecret(in: error)
        let text = error.description
        #expect(text.contains("3 secrets are missing: "), "\(text)")
        #expect(
            text.contains(
                "secret 'pppoe_username' needs the environment variable WRTFORM_PPPOE_USERNAME, which is not set"))
        #expect(
            text.contains(
                "secret 'pppoe_password' needs the environment variable WRTFORM_PPPOE_PASSWORD, which is empty"))
        #expect(
            text.contains(
                "secret 'ddns_password' needs the environment variable WRTFORM_DDNS_PASSWORD, which is not set"))
        #expect(!text.contains("\n"))
        #expect(error.location?.file == "ocn-dualstack-pppoe.yml")
    }

    @Test func anEmptyVariableIsCalledEmpty() throws {
        let yaml =
            "secrets:\n  pw: { env: PW }\nsteps:\n  - id: i\n    interface: { name: wanppp, proto: pppoe, password: \"{{ pw }}\" }\n"
        let error = try Loader.error(yaml, secrets: .resolve(environment: ["PW": ""], prompter: nil))
        #expect(
            error.description
                == "ocn.yml:2:14: secret 'pw' needs the environment variable PW, which is empty (export PW=… before running wrtform)"
        )
    }

    /// The journal kept off the router: no hash of any file (a sha256 of the DDNS password file
    /// lets anyone holding the copy test guesses offline).
    @Test func theMaskedJournalKeepsNoFileHashes() throws {
        let json = """
            {"id":"r1","time":1,"playbook":"p","owner":"o","services":[],"secretKeys":["password"],
             "secretFiles":["/etc/wrtform/ddns.secret"],"steps":[],
             "files":[{"path":"/etc/wrtform/ddns.secret","oldHash":"aaaa","newHash":"5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"},
                      {"path":"/etc/config/network","oldHash":"bbbb","newHash":"cccc"}]}
            """
        let journal = try RunJournal.decode(Array(json.utf8))
        let masked = journal.masked()
        #expect(masked.files.map(\.path) == ["/etc/wrtform/ddns.secret", "/etc/config/network"])
        #expect(masked.files.allSatisfy { $0.oldHash.isEmpty && $0.newHash.isEmpty })
        let text = String(decoding: try masked.encoded(), as: UTF8.self)
        for hash in ["aaaa", "bbbb", "cccc", "5e884898"] { #expect(!text.contains(hash)) }
        // The router's own journal keeps them.
        #expect(journal.files.first?.newHash.hasPrefix("5e884898") == true)
    }
}
