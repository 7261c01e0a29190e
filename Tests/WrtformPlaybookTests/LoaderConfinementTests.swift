import Foundation
import Testing
import WrtformEngine
import WrtformPlaybook

/// Templates and secret files come from the playbook's own directory (after symlinks), unless
/// the user passes --allow-outside-templates: an untrusted playbook cannot have `apply` copy
/// ~/.ssh/id_ed25519 to the router.
@Suite struct LoaderConfinementTests {
    static func playbook(template: String) -> String {
        "steps:\n  - id: hook\n    file:\n      path: /etc/hotplug.d/iface/50-x\n      template: \(template)\n"
    }

    static func secretPlaybook(file: String) -> String {
        """
        secrets:
          key: { file: \(file) }
        steps:
          - id: k
            file: { path: /etc/wrtform/k.secret, content: "{{ key }}", mode: "0600" }
        """
    }

    /// A playbook folder inside a scratch directory, and a private file beside (not in) it.
    struct Setup {
        let root: LoaderDirectory
        var folder: String { root.path + "/playbooks" }
        var outside: String { root.path + "/private/id_ed25519" }

        init() throws {
            root = try LoaderDirectory()
            try root.write("private/id_ed25519", "-----BEGIN OPENSSH PRIVATE KEY-----\n", mode: 0o600)
            try root.write("playbooks/templates/ok", "X='{{ a }}'\n")
        }

        func load(
            _ yaml: String, allowOutside: Bool = false,
            secrets: SecretResolution = .resolve(environment: [:], prompter: nil)
        ) throws -> Playbook {
            let path = try root.write("playbooks/p.yml", "vars:\n  a: b\n" + yaml)
            return try PlaybookLoader().load(path: path, secrets: secrets, allowOutsideFiles: allowOutside)
        }

        func error(_ yaml: String, secrets: SecretResolution = .resolve(environment: [:], prompter: nil)) throws
            -> EngineError
        {
            try #require(throws: EngineError.self) { try load(yaml, secrets: secrets) }
        }
    }

    @Test func templatesOutsideThePlaybooksDirectoryAreRefused() throws {
        let setup = try Setup()
        defer { setup.root.remove() }
        let real = PlaybookDirectoryPath.real(setup.outside)
        for template in ["../private/id_ed25519", setup.outside, "templates/../../private/id_ed25519"] {
            let error = try setup.error(Self.playbook(template: template))
            #expect(
                error.description.hasPrefix("p.yml:7:17: template '\(template)' is outside the playbook's directory"),
                "\(error.description)")
            #expect(
                error.description.hasSuffix(
                    "(keep it beside the playbook, or pass --allow-outside-templates if you trust this playbook)"))
            // The user may allow it.
            let allowed = try setup.load(Self.playbook(template: template), allowOutside: true)
            #expect(Loader.scalar(allowed.steps.first?.input.fields["content"])?.hasPrefix("-----BEGIN") == true)
        }
        // A symlink inside the folder that leads out is judged by where it leads.
        try FileManager.default.createSymbolicLink(
            atPath: setup.folder + "/templates/link", withDestinationPath: setup.outside)
        let link = try setup.error(Self.playbook(template: "templates/link"))
        #expect(
            link.description.contains(
                "template 'templates/link' is outside the playbook's directory (it resolves to \(real))"))
        // A missing file outside is refused by its path; one inside is reported missing.
        let missing = try setup.error(Self.playbook(template: "../nothing"))
        #expect(missing.description.contains("template '../nothing' is outside the playbook's directory"))
        let inside = try setup.error(Self.playbook(template: "templates/nothing"))
        #expect(inside.description.contains("does not exist"))
        // A template inside the folder still renders.
        let fine = try setup.load(Self.playbook(template: "templates/ok"))
        #expect(Loader.scalar(fine.steps.first?.input.fields["content"]) == "X='b'\n")
    }

    @Test func secretFilesOutsideThePlaybooksDirectoryAreRefused() throws {
        let setup = try Setup()
        defer { setup.root.remove() }
        for file in ["../private/id_ed25519", setup.outside] {
            let error = try setup.error(Self.secretPlaybook(file: file))
            #expect(
                error.description.hasPrefix(
                    "p.yml:4:16: secret 'key' reads \(file), which is outside the playbook's directory"),
                "\(error.description)")
            #expect(!error.description.contains("BEGIN"))
            // validate (no secrets read) refuses it too.
            let validate = try setup.error(Self.secretPlaybook(file: file), secrets: .placeholders)
            #expect(validate.description == error.description)
            let allowed = try setup.load(Self.secretPlaybook(file: file), allowOutside: true)
            #expect(allowed.secretValues == ["-----BEGIN OPENSSH PRIVATE KEY-----"])
        }
        try setup.root.write("playbooks/k.secret", "inside-S3cr3t\n", mode: 0o600)
        let inside = try setup.load(Self.secretPlaybook(file: "k.secret"))
        #expect(inside.secretValues == ["inside-S3cr3t"])
    }
}

/// realpath(3), as the loader resolves paths.
enum PlaybookDirectoryPath {
    static func real(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
