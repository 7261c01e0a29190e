import Foundation

/// Files into `file` steps. A file is secret when only its owner may read it, when its name says
/// so, or when it holds a secret value found in the configs; secret values inside a script become
/// `{{ name }}` placeholders, and a whole secret file comes from one environment variable.
extension ImportBuilder {
    mutating func importFile(_ path: String, _ file: FileState) {
        guard let content = file.content, let text = String(validating: content, as: UTF8.self), !text.contains("\u{0}")
        else {
            result.warnings.append("left out \(path): not text (add it by hand)")
            return
        }
        if Importer.isBookkeeping(path) { return }
        let origin = "\(path) (mode \(file.mode), owner \(file.owner))"
        var fields = [ImportedField("path", .text(path))]
        let body = String(text.reversed().drop { $0 == "\n" }.reversed())
        let newlines = String(repeating: "\n", count: text.count - body.count)
        let modeBits = Int(file.mode, radix: 8) ?? 0o644
        let named = [".secret", ".key", ".psk", ".pass", ".password"].contains { path.hasSuffix($0) }
        let knownSecret = result.secretValues.values.contains(body) || pending.values.contains { $0.value == body }
        // A crontab is 0600 because crond insists, not because it is secret.
        let ownerOnly = modeBits & 0o077 == 0 && !path.hasPrefix("/etc/crontabs/")
        if named || ownerOnly || knownSecret {
            guard !body.isEmpty, body.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }),
                newlines.count <= 1
            else {
                result.warnings.append(
                    "left out \(path): a secret file of more than one line cannot come from an environment variable (add it by hand)"
                )
                return
            }
            let base = (path as NSString).lastPathComponent.replacingOccurrences(of: ".", with: "_")
            let name = secret(named: base, value: body, origin: "the content of \(path)")
            fields.append(ImportedField("content", .template("{{ \(name) }}" + newlines)))
            fields.append(ImportedField("secret", .text("true")))
        } else {
            if text.contains("{{") {
                result.warnings.append(
                    "left out \(path): it contains '{{', which a playbook would substitute (add it by hand)")
                return
            }
            var template = text
            var known: [(String, String)] = result.secretValues.map { ($0.key, $0.value) }
            known += pending.map { ($0.key, $0.value.value) }
            for (name, value) in known.sorted(by: { $0.1.count > $1.1.count }) where value.count >= 4 {
                template = template.replacingOccurrences(of: value, with: "{{ \(name) }}")
            }
            fields.append(ImportedField("content", template == text ? .text(text) : .template(template)))
        }
        fields.append(ImportedField("mode", .text(file.mode)))
        if file.owner != "0:0" { fields.append(ImportedField("owner", .text(file.owner))) }
        let id =
            path.hasPrefix("/etc/hotplug.d/")
            ? "hotplug-" + path.dropFirst("/etc/hotplug.d/".count).replacingOccurrences(of: "/", with: "-")
            : "file-" + (path as NSString).lastPathComponent
        if !keep(ImportedStep(id: id, kind: .file, origin: origin, fields: fields), group: 10) {
            result.warnings.append("left out \(path): it does not read back the same (add it by hand)")
        }
    }
}
