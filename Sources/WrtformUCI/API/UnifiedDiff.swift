/// A unified diff of two config texts, for people to read before anything is written to a router.
///
/// Values of secret options are shown as `'(secret)'` on every line printed (removed, added and context), so a
/// changed password shows as a changed line without either value.
public enum UnifiedDiff {
    /// Option names whose values are never shown: `password` (PPPoE, DDNS), `key` (Wi-Fi), `psk`. Matched without
    /// regard to case.
    public static let defaultSecretOptions: Set<String> = ["password", "key", "psk"]

    /// Lines of context around each change.
    public static let context = 3

    /// A unified diff (3 lines of context, `--- path` / `+++ path` headers), or "" when the texts are equal. Values of
    /// options named in `secretOptions` are masked; pass more names to add to the defaults (the defaults always apply).
    public static func make(
        old: String, new: String, path: String,
        secretOptions: Set<String> = UnifiedDiff.defaultSecretOptions
    ) -> String {
        if old.utf8.elementsEqual(new.utf8) { return "" }
        let secrets = secretOptions.union(defaultSecretOptions)
        let oldLines = physicalLines(old)
        let newLines = physicalLines(new)
        let oldShown = SecretMasker.maskedLines(of: old, secrets: secrets)
        let newShown = SecretMasker.maskedLines(of: new, secrets: secrets)
        let operations = LineDiff.operations(oldLines, newLines)
        guard operations.contains(where: { if case .equal = $0 { false } else { true } }) else { return "" }

        var out = "--- \(path)\n+++ \(path)\n"
        for hunk in hunks(operations) {
            out += header(hunk, operations)
            for operation in operations[hunk] {
                switch operation {
                case .equal(let o, let n):
                    out += line(" ", contextLine(o, n, oldLines, newLines, oldShown, newShown))
                case .delete(let o):
                    out += line("-", oldShown[o])
                case .insert(let n):
                    out += line("+", newShown[n])
                }
            }
        }
        return out
    }

    /// Lines with their line ends, so a missing final newline or a changed line end is a difference too.
    private static func physicalLines(_ text: String) -> [Substring] {
        var lines: [Substring] = []
        var start = text.startIndex
        var index = text.utf8.startIndex
        while index < text.utf8.endIndex {
            if text.utf8[index] == UCISyntax.newline {
                let next = text.utf8.index(after: index)
                lines.append(text[start..<next])
                start = next
            }
            index = text.utf8.index(after: index)
        }
        if start < text.endIndex {
            lines.append(text[start...])
        }
        return lines
    }

    /// A context line shown masked if either side masks it: the same bytes can be a secret in one text only.
    private static func contextLine(
        _ old: Int, _ new: Int, _ oldLines: [Substring], _ newLines: [Substring],
        _ oldShown: [String], _ newShown: [String]
    ) -> String {
        let oldMasked = !oldShown[old].utf8.elementsEqual(oldLines[old].utf8)
        let newMasked = !newShown[new].utf8.elementsEqual(newLines[new].utf8)
        switch (oldMasked, newMasked) {
        case (false, false), (false, true): return newShown[new]
        case (true, false): return oldShown[old]
        case (true, true):
            if oldShown[old] == newShown[new] { return oldShown[old] }
            let indent = oldLines[old].prefix { $0 == " " || $0 == "\t" }
            return String(indent) + SecretMasker.mask + (oldLines[old].utf8.last == UCISyntax.newline ? "\n" : "")
        }
    }

    private static func line(_ marker: String, _ text: String) -> String {
        // By bytes: "\r\n" is one Character, so String.hasSuffix("\n") would miss it.
        if text.utf8.last == UCISyntax.newline {
            return marker + text
        }
        return marker + text + "\n\\ No newline at end of file\n"
    }

    /// Ranges of operations to print: each change with up to `context` equal lines around it, merged when close.
    private static func hunks(_ operations: [LineDiff.Operation]) -> [Range<Int>] {
        var hunks: [Range<Int>] = []
        let changes = operations.indices.filter { if case .equal = operations[$0] { false } else { true } }
        guard var start = changes.first.map({ max(0, $0 - context) }) else { return [] }
        var end = min(operations.count, changes[0] + context + 1)
        for change in changes.dropFirst() {
            if change - context <= end {
                end = min(operations.count, change + context + 1)
            } else {
                hunks.append(start..<end)
                start = change - context
                end = min(operations.count, change + context + 1)
            }
        }
        hunks.append(start..<end)
        return hunks
    }

    /// `@@ -l,s +l,s @@` as diff -u writes it: the count left out when 1, the start one before the hunk when empty.
    private static func header(_ hunk: Range<Int>, _ operations: [LineDiff.Operation]) -> String {
        var oldBefore = 0
        var newBefore = 0
        for operation in operations[..<hunk.lowerBound] {
            switch operation {
            case .equal:
                oldBefore += 1
                newBefore += 1
            case .delete: oldBefore += 1
            case .insert: newBefore += 1
            }
        }
        var oldCount = 0
        var newCount = 0
        for operation in operations[hunk] {
            switch operation {
            case .equal:
                oldCount += 1
                newCount += 1
            case .delete: oldCount += 1
            case .insert: newCount += 1
            }
        }
        func range(_ before: Int, _ count: Int) -> String {
            let start = count == 0 ? before : before + 1
            return count == 1 ? "\(start)" : "\(start),\(count)"
        }
        return "@@ -\(range(oldBefore, oldCount)) +\(range(newBefore, newCount)) @@\n"
    }
}

extension UnifiedDiff {
    /// The whole text with the values of secret options replaced by `'(secret)'`, as a diff shows its
    /// lines: what a saved plan may keep of a config that holds a password.
    public static func masked(_ text: String, secretOptions: Set<String> = UnifiedDiff.defaultSecretOptions)
        -> String
    {
        SecretMasker.maskedLines(of: text, secrets: secretOptions.union(defaultSecretOptions)).joined()
    }
}
