import WrtformEngine

/// Writes an imported playbook as YAML the loader reads back to the same steps: every value quoted
/// (so `0`, `yes` or `1454` stay text), secrets as `{{ name }}`, each step under a comment saying
/// where on the router it came from.
public enum PlaybookWriter {
    public static func yaml(_ playbook: ImportedPlaybook) -> String {
        var out = "# Imported from \(comment(playbook.source)) by `wrtform import`.\n"
        if !playbook.secrets.isEmpty {
            out += "# Secret values are not in this file: set these environment variables before plan or apply.\n"
        }
        out += "name: \(scalar(playbook.name))\n"
        if !playbook.vars.isEmpty {
            out += "\nvars:\n"
            for variable in playbook.vars {
                out += "  \(variable.name): \(scalar(variable.value))   # used by \(comment(variable.usedBy))\n"
            }
        }
        if !playbook.secrets.isEmpty {
            out += "\nsecrets:\n"
            for secret in playbook.secrets {
                out += "  \(secret.name): { env: \(secret.environment) }   # \(comment(secret.origin))\n"
            }
        }
        guard !playbook.steps.isEmpty else { return out + "\nsteps: []\n" }
        out += "\nsteps:\n"
        for (index, step) in playbook.steps.enumerated() {
            if index > 0 { out += "\n" }
            out += "  # \(comment(step.origin))\n"
            if let note = step.note { out += "  # \(comment(note))\n" }
            out += "  - id: \(step.id)\n"
            out += "    \(step.kind.rawValue):\n"
            out += fields(step.fields, indent: 6)
        }
        return out
    }

    static func fields(_ fields: [ImportedField], indent: Int) -> String {
        let pad = String(repeating: " ", count: indent)
        var out = ""
        for field in fields {
            let key = key(field.key)
            switch field.value {
            case .text(let text) where field.key == "content" && text.contains("\n"):
                out += "\(pad)\(key): " + block(text, indent: indent + 2)
            case .template(let text) where text.contains("\n") && !text.hasPrefix("{{"):
                out += "\(pad)\(key): " + block(text, indent: indent + 2)
            case .text(let text):
                out += "\(pad)\(key): \(scalar(text))\n"
            case .template(let text):
                out += "\(pad)\(key): \(doubleQuoted(text))\n"
            case .secret(let name):
                out += "\(pad)\(key): \"{{ \(name) }}\"\n"
            case .list(let items):
                out += "\(pad)\(key): [" + items.map(scalar).joined(separator: ", ") + "]\n"
            case .map(let inner):
                out += "\(pad)\(key):\n" + Self.fields(inner, indent: indent + 2)
            }
        }
        return out
    }

    /// Keys YAML 1.1 would read as booleans or null are quoted.
    static func key(_ key: String) -> String {
        let special: Set<String> = ["y", "n", "yes", "no", "on", "off", "true", "false", "null"]
        return special.contains(key.lowercased()) || key.first?.isNumber == true ? scalar(key) : key
    }

    /// A value as single-quoted YAML, or double-quoted with escapes when it holds anything else.
    static func scalar(_ text: String) -> String {
        if text.unicodeScalars.allSatisfy(isPlain) { return "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
        return doubleQuoted(text)
    }

    static func isPlain(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value == 0x09 { return true }
        if value < 0x20 || value == 0x7F || (0x80...0x9F).contains(value) { return false }
        return ![0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF].contains(value)
    }

    static func doubleQuoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if isPlain(scalar) {
                    out.unicodeScalars.append(scalar)
                } else {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
                }
            }
        }
        return out + "\""
    }

    /// A `|` block for a readable script; double-quoted where a block could not say it exactly.
    static func block(_ text: String, indent: Int) -> String {
        let body = String(text.reversed().drop { $0 == "\n" }.reversed())
        let trailing = text.count - body.count
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
        let blockable =
            !body.isEmpty && !body.hasPrefix(" ") && !body.hasPrefix("\t") && !body.hasPrefix("\n")
            && body.unicodeScalars.allSatisfy { $0 == "\n" || isPlain($0) }
            && !lines.contains { !$0.isEmpty && $0.allSatisfy { $0 == " " || $0 == "\t" } }
        guard blockable else { return doubleQuoted(text) + "\n" }
        let pad = String(repeating: " ", count: indent)
        var out = trailing == 0 ? "|-\n" : trailing == 1 ? "|\n" : "|+\n"
        for line in lines { out += line.isEmpty ? "\n" : "\(pad)\(line)\n" }
        if trailing > 1 { out += String(repeating: "\n", count: trailing - 1) }
        return out
    }

    static func comment(_ text: String) -> String {
        String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : Character($0) })
    }
}
