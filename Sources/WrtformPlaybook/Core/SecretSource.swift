import Foundation
import WrtformEngine

/// Where a secret comes from — never the playbook itself.
struct SecretSource {
    enum Kind {
        case environment(String)
        case file(String)
        case prompt(String)
    }

    var name: String
    var kind: Kind
    var location: SourceLocation

    init(name: String, node: YAMLNode) throws {
        self.name = name
        location = node.location
        guard case .map(let entries, _) = node, entries.count == 1, let entry = entries.first,
            case .scalar(let value, let valueLocation) = entry.value
        else {
            throw EngineError(
                .invalidInput,
                "secret '\(name)' must say where it comes from: { env: VAR }, { file: PATH } or { prompt: TEXT }",
                at: node.location, hint: "secret values are never written in a playbook")
        }
        location = valueLocation
        switch entry.key {
        case "env": kind = .environment(value)
        case "file": kind = .file(value)
        case "prompt": kind = .prompt(value)
        default:
            throw EngineError(
                .invalidInput, "secret '\(name)' has an unknown source '\(entry.key)'", at: entry.keyLocation,
                hint: Suggestion.hint(for: entry.key, in: ["env", "file", "prompt"]) ?? "use env, file or prompt")
        }
    }

    /// The value; errors name the source, never a value. A relative file path is relative to the
    /// playbook's directory, as templates are.
    /// A secret file's absolute path: `~` expanded, relative to the playbook, inside its folder.
    func confinedPath(_ path: String, in folder: PlaybookDirectory) throws -> String {
        try folder.confine(
            (path as NSString).expandingTildeInPath, what: "secret '\(name)' reads \(path), which", at: location)
    }

    func resolve(environment: [String: String], prompter: (any SecretPrompter)?, folder: PlaybookDirectory) throws
        -> String
    {
        let value: String
        switch kind {
        case .environment(let variable):
            guard let found = environment[variable], !found.isEmpty else {
                let state = environment[variable] == nil ? "is not set" : "is empty"
                throw EngineError(
                    .notFound, "secret '\(name)' needs the environment variable \(variable), which \(state)",
                    at: location,
                    hint: "export \(variable)=… before running wrtform")
            }
            value = found
        case .file(let path):
            let absolute = try confinedPath(path, in: folder)
            // The mode that matters is the file's own, not a symlink's (always 0777).
            let target = URL(fileURLWithPath: absolute).resolvingSymlinksInPath().path
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: target),
                let data = FileManager.default.contents(atPath: target)
            else {
                throw EngineError(
                    .notFound, "secret '\(name)' reads \(path), which cannot be read", at: location,
                    hint: "create \(absolute) with mode 0600")
            }
            let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0o777
            if mode & 0o077 != 0 {
                throw EngineError(
                    .invalidInput,
                    "secret '\(name)' reads \(path), which others can read (mode 0\(String(mode & 0o777, radix: 8)))",
                    at: location, hint: "chmod 600 \(absolute)")
            }
            // Never altered: invalid UTF-8 would silently become U+FFFD, a different password.
            guard var text = String(data: data, encoding: .utf8) else {
                throw EngineError(
                    .invalidInput, "secret '\(name)' reads \(path), which is not UTF-8 text", at: location,
                    hint: "wrtform carries secrets as text: save the file as UTF-8")
            }
            // By scalar: "\r\n" is one Character, which hasSuffix("\n") would not see.
            while let last = text.unicodeScalars.last, last == "\n" || last == "\r" { text.unicodeScalars.removeLast() }
            value = text
        case .prompt(let message):
            guard let prompter else {
                throw EngineError(
                    .notFound, "secret '\(name)' is asked for on a terminal, and stdin is not one", at: location,
                    hint: "give it with env: or file: for unattended runs")
            }
            value = try prompter.prompt(message)
        }
        if value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) {
            throw EngineError(
                .invalidInput, "secret '\(name)' contains a control character (newline, NUL, …)", at: location)
        }
        return value
    }
}
