import Foundation
import WrtformEngine

/// `{{ name }}` substitution. A string that is exactly one placeholder takes the variable's value
/// whole (so a list can be passed as a list); inside a longer string, only scalars fit.
struct Template {
    enum Piece {
        case text(String)
        case name(String, offset: Int)
    }

    static func pieces(_ text: String, at location: SourceLocation) throws -> [Piece] {
        var pieces: [Piece] = []
        var rest = Substring(text)
        var consumed = 0
        while let open = rest.range(of: "{{") {
            let before = rest[..<open.lowerBound]
            if !before.isEmpty { pieces.append(.text(String(before))) }
            let afterOpen = rest[open.upperBound...]
            guard let close = afterOpen.range(of: "}}") else {
                throw EngineError(.invalidInput, "'{{' without a closing '}}'", at: offset(location, in: text, by: consumed + before.count),
                    hint: "write {{ name }}")
            }
            let name = afterOpen[..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                // One line: a placeholder split over lines shows its line break as \\u{a}.
                let shown = afterOpen[..<close.lowerBound].unicodeScalars.map { $0.value < 0x20 ? "\\u{\(String($0.value, radix: 16))}" : String($0) }
                throw EngineError(.invalidInput, "'{{\(shown.joined())}}' is not a variable reference",
                    at: offset(location, in: text, by: consumed + before.count), hint: "write {{ name }} with a variable's name")
            }
            pieces.append(.name(name, offset: consumed + before.count))
            consumed = text.distance(from: text.startIndex, to: close.upperBound)
            rest = afterOpen[close.upperBound...]
        }
        if !rest.isEmpty { pieces.append(.text(String(rest))) }
        return pieces
    }

    /// The location of a character within a scalar that starts at `location`. Later lines keep the
    /// first line's indentation, as a `|` block's lines do (a template file's start at column 1);
    /// in a folded or quoted multi-line value the column is approximate.
    static func offset(_ location: SourceLocation, in text: String, by characters: Int) -> SourceLocation {
        let prefix = text.prefix(characters)
        guard let lastNewline = prefix.lastIndex(where: \.isNewline) else {
            return SourceLocation(file: location.file, line: location.line, column: location.column + characters)
        }
        let lines = prefix.filter(\.isNewline).count
        return SourceLocation(
            file: location.file, line: location.line + lines,
            column: location.column - 1 + prefix.distance(from: lastNewline, to: prefix.endIndex))
    }
}
