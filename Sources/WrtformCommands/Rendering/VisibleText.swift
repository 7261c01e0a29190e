/// Text that came from a router or a tree (file contents, names, values, its answers in errors),
/// made safe to print: control characters are shown as escapes (`\x1b`, `\r`, `\u{202e}`), so an
/// ESC/OSC sequence in a file cannot recolor, retitle, hide or rewrite what the user reads before
/// answering "yes". Works on Unicode scalars: "\r\n" is one Character and would slip past.
enum VisibleText {
    static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            guard needsEscape(scalar) else {
                out.append(scalar)
                continue
            }
            let shown: String
            switch scalar {
            case "\n": shown = "\\n"
            case "\r": shown = "\\r"
            case _ where scalar.value < 0x80: shown = "\\x" + hex(scalar.value, digits: 2)
            default: shown = "\\u{" + hex(scalar.value, digits: 4) + "}"
            }
            out.append(contentsOf: shown.unicodeScalars)
        }
        return String(out)
    }

    /// C0 controls but tab, DEL, C1 controls (0x9b is CSI on some terminals), and the invisible
    /// marks that reorder or break lines (bidi overrides and isolates, U+2028/2029).
    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09: return false
        case 0x00...0x1F, 0x7F...0x9F: return true
        case 0x061C, 0x200E, 0x200F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }

    private static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
