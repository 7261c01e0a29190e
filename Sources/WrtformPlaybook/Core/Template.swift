import Foundation
import WrtformEngine

/// `{{ name }}` substitution. A string that is exactly one placeholder takes the variable's value
/// whole (so a list can be passed as a list); inside a longer string, only scalars fit. The text is
/// read as UTF-8 bytes: a `}` or `{` followed by a combining mark is still that byte.
struct Template {
    enum Piece {
        case text(String)
        /// `offset` counts Unicode scalars from the start of the text, as YAML columns do.
        case name(String, offset: Int)
    }

    /// Text for a one-line message: control bytes shown as `\u{HEX}`.
    static func oneLine(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self).unicodeScalars
            .map { $0.value < 0x20 || $0.value == 0x7F ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined()
    }

    static func pieces(_ text: String, at location: SourceLocation) throws -> [Piece] {
        let bytes = Array(text.utf8)
        let open = UInt8(ascii: "{")
        let close = UInt8(ascii: "}")
        var pieces: [Piece] = []
        var start = 0
        var index = 0
        // Scalars before a byte offset, counted on from the last one asked (offsets only grow), so a
        // long text with many placeholders is read once.
        var counted = (bytes: 0, scalars: 0)
        func scalarOffset(_ byteOffset: Int) -> Int {
            // Continuation bytes (10xxxxxx) do not start a scalar.
            for byte in bytes[counted.bytes..<byteOffset] where byte & 0xC0 != 0x80 { counted.scalars += 1 }
            counted.bytes = byteOffset
            return counted.scalars
        }
        while index + 1 < bytes.count {
            guard bytes[index] == open, bytes[index + 1] == open else {
                index += 1
                continue
            }
            if index > start { pieces.append(.text(String(decoding: bytes[start..<index], as: UTF8.self))) }
            let nameStart = index + 2
            var end = nameStart
            while end + 1 < bytes.count, !(bytes[end] == close && bytes[end + 1] == close) { end += 1 }
            guard end + 1 < bytes.count else {
                throw EngineError(
                    .invalidInput, "'{{' without a closing '}}'",
                    at: offset(location, in: text, by: scalarOffset(index)),
                    hint: "write {{ name }}")
            }
            let inner = bytes[nameStart..<end]
            let name = inner.drop { $0 == 0x20 || $0 == 0x09 }.reversed().drop { $0 == 0x20 || $0 == 0x09 }.reversed()
            let valid =
                !name.isEmpty
                && name.allSatisfy {
                    (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0)
                        || $0 == UInt8(ascii: "_")
                }
            guard valid else {
                throw EngineError(
                    // One line: a placeholder split over lines shows its line break as \u{a}.
                    .invalidInput, "'{{\(Self.oneLine(inner))}}' is not a variable reference",
                    at: offset(location, in: text, by: scalarOffset(index)),
                    hint: "write {{ name }} with a variable's name")
            }
            pieces.append(.name(String(decoding: name, as: UTF8.self), offset: scalarOffset(index)))
            index = end + 2
            start = index
        }
        if start < bytes.count { pieces.append(.text(String(decoding: bytes[start...], as: UTF8.self))) }
        return pieces
    }

    /// The location of a scalar within a text that starts at `location`. Later lines keep the
    /// first line's indentation, as a `|` block's lines do (a template file's start at column 1);
    /// in a folded or quoted multi-line value the column is approximate.
    static func offset(_ location: SourceLocation, in text: String, by scalars: Int) -> SourceLocation {
        let prefix = text.unicodeScalars.prefix(scalars)
        guard let lastNewline = prefix.lastIndex(of: "\n") else {
            return SourceLocation(file: location.file, line: location.line, column: location.column + scalars)
        }
        let lines = prefix.filter { $0 == "\n" }.count
        return SourceLocation(
            file: location.file, line: location.line + lines,
            column: location.column - 1 + prefix.distance(from: lastNewline, to: prefix.endIndex))
    }

    /// The scalar offset of the first `{{` in `text`, if any.
    static func firstOpening(in text: String) -> Int? {
        var previousOpen = false
        for (position, scalar) in text.unicodeScalars.enumerated() {
            if scalar == "{" {
                if previousOpen { return position - 1 }
                previousOpen = true
            } else {
                previousOpen = false
            }
        }
        return nil
    }
}
