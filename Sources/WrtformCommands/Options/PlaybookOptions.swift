import ArgumentParser
import Foundation
import WrtformEngine

/// The playbook a command reads, and variable overrides.
struct PlaybookOptions: ParsableArguments {
    @Argument(help: "The playbook (YAML).")
    var playbook: String

    @OptionGroup var inputs: PlaybookInputs

    var vars: [String] { inputs.vars }
    var varFiles: [String] { inputs.varFiles }
    var steps: [String] { inputs.steps }
    var allowOutsideTemplates: Bool { inputs.allowOutsideTemplates }

    func overrides() throws -> [String: String] {
        var result: [String: String] = [:]
        for path in varFiles {
            for (name, value) in try Self.read(varFile: path) { result[name] = value }
        }
        for entry in vars {
            // Split at the "=" byte: "=" + U+0301 is one Character, which a Character search misses.
            let bytes = Array(entry.utf8)
            guard let equals = bytes.firstIndex(of: UInt8(ascii: "=")), equals != 0 else {
                throw ValidationError("--var takes name=value, not '\(entry)'")
            }
            result[String(decoding: bytes[..<equals], as: UTF8.self)] = String(
                decoding: bytes[(equals + 1)...], as: UTF8.self)
        }
        return result
    }

    /// `name=value` per line, as `--var` takes them (spaces around `=` and at the ends are dropped);
    /// blank lines and `#` comment lines skipped.
    static func read(varFile path: String) throws -> [(String, String)] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw EngineError(
                .invalidInput, "cannot read --var-file \(path): \((error as NSError).localizedDescription)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw EngineError(.invalidInput, "--var-file \(path) is not UTF-8 text")
        }
        var entries: [(String, String)] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let equals = trimmed.firstIndex(of: "="), equals != trimmed.startIndex else {
                throw EngineError(
                    .invalidInput, "a --var-file line must be name=value",
                    at: SourceLocation(file: path, line: index + 1, column: line.count - trimmed.count + 1))
            }
            let name = trimmed[..<equals].trimmingCharacters(in: .whitespaces)
            entries.append(
                (
                    name,
                    trimmed[trimmed.index(after: equals)...].trimmingCharacters(in: CharacterSet(charactersIn: " \t"))
                ))
        }
        return entries
    }
}
