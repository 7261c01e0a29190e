import ArgumentParser

/// The playbook a command reads, and variable overrides.
struct PlaybookOptions: ParsableArguments {
    @Argument(help: "The playbook (YAML).")
    var playbook: String

    @Option(name: .customLong("var"), help: "Override a playbook variable: --var name=value (repeatable).")
    var vars: [String] = []

    func overrides() throws -> [String: String] {
        var result: [String: String] = [:]
        for entry in vars {
            guard let equals = entry.firstIndex(of: "="), equals != entry.startIndex else {
                throw ValidationError("--var takes name=value, not '\(entry)'")
            }
            result[String(entry[..<equals])] = String(entry[entry.index(after: equals)...])
        }
        return result
    }
}
