import ArgumentParser

/// The playbook a command reads, and variable overrides.
struct PlaybookOptions: ParsableArguments {
    @Argument(help: "The playbook (YAML).")
    var playbook: String

    @Option(name: .customLong("var"), help: "Override a playbook variable: --var name=value (repeatable).")
    var vars: [String] = []

    @Flag(
        name: .customLong("allow-outside-templates"),
        help: "Let the playbook read templates and secret files outside its own directory (only for a playbook you trust).")
    var allowOutsideTemplates = false

    func overrides() throws -> [String: String] {
        var result: [String: String] = [:]
        for entry in vars {
            // Split at the "=" byte: "=" + U+0301 is one Character, which a Character search misses.
            let bytes = Array(entry.utf8)
            guard let equals = bytes.firstIndex(of: UInt8(ascii: "=")), equals != 0 else {
                throw ValidationError("--var takes name=value, not '\(entry)'")
            }
            result[String(decoding: bytes[..<equals], as: UTF8.self)] = String(decoding: bytes[(equals + 1)...], as: UTF8.self)
        }
        return result
    }
}
