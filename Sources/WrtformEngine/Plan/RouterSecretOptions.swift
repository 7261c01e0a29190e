import WrtformUCI

/// Option names on the router whose values are secrets though the playbook does not manage them: a
/// WireGuard key, a WPA3 or RADIUS password made in LuCI. A plan masks them as it masks the playbook's
/// own — in its diffs' context lines, its JSON, the journals, and above all a saved plan, which keeps
/// whole files and pins a file holding a secret by HMAC, never by a plain hash that would let guesses
/// be tested. The names are those `wrtform import` treats as secrets.
enum RouterSecretOptions {
    static func names(in files: [String: FileState]) -> Set<String> {
        var names: Set<String> = []
        for (path, state) in files where path.hasPrefix("/etc/config/") {
            guard let content = state.content, let text = String(validating: content, as: UTF8.self),
                let file = try? UCIFile(parsing: text, path: path)
            else { continue }
            for section in file.sections {
                for option in section.options where ImportBuilder.isSecret(option.key) { names.insert(option.key) }
            }
        }
        return names
    }
}
