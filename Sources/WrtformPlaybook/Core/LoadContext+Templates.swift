import Foundation
import WrtformEngine

/// File text with placeholders: template files and a file step's inline content.
extension LoadContext {
    /// A file step's inline content: exactly one placeholder is data, taken whole (a secret file's
    /// password); text around placeholders is a small template, written like a template file.
    mutating func fileContent(_ field: InputField, dialect: TemplateQuoting.Dialect) throws -> InputField {
        guard case .scalar(let text) = field.value else { return try substitute(field, multiline: true) }
        let location = field.location ?? SourceLocation(file: file, line: 1, column: 1)
        let pieces = try Template.pieces(text, at: location)
        if pieces.count == 1, case .name = pieces[0] { return try substitute(field, multiline: true) }
        var rendered = try render(text, pieces: pieces, at: location, dialect: dialect)
        try Self.checkCharacters(rendered, multiline: true, at: location)
        rendered.location = field.location
        return rendered
    }

    /// Uci quoting for /etc/config files (the path as the engine will normalise it), shell otherwise.
    static func dialect(forPath field: InputField?) -> TemplateQuoting.Dialect {
        guard case .scalar(let path)? = field?.value else { return .shell }
        let parts = path.utf8.split(separator: UInt8(ascii: "/")).filter { !$0.elementsEqual(".".utf8) }
        return parts.count >= 3 && parts[0].elementsEqual("etc".utf8) && parts[1].elementsEqual("config".utf8)
            ? .uci : .shell
    }

    /// Text with placeholders, each value escaped for the quotes it lands in (see TemplateQuoting).
    mutating func render(
        _ text: String, pieces: [Template.Piece], at location: SourceLocation, dialect: TemplateQuoting.Dialect
    ) throws -> InputField {
        let contexts = TemplateQuoting.contexts(of: pieces, dialect: dialect)
        var result = ""
        var secret = false
        var placeholder = 0
        for piece in pieces {
            switch piece {
            case .text(let part): result += part
            case .name(let name, let offset):
                let context = contexts[placeholder]
                placeholder += 1
                let value = try lookup(name, at: Template.offset(location, in: text, by: offset))
                guard case .scalar(let scalar) = value.value else {
                    throw EngineError(
                        .invalidInput, "variable '\(name)' is a list or mapping, which a template cannot hold",
                        at: Template.offset(location, in: text, by: offset))
                }
                do {
                    result += try rendered(
                        scalar, name: name, context: context, dialect: dialect, secret: value.isSecret,
                        at: Template.offset(location, in: text, by: offset))
                } catch let error as EngineError {
                    throw attributed(error, to: name)
                }
                secret = secret || value.isSecret
            }
        }
        return InputField(.scalar(result), at: location, isSecret: secret)
    }

    /// One value written for its context, or the reason it cannot be.
    func rendered(
        _ scalar: String, name: String, context: TemplateQuoting.Context, dialect: TemplateQuoting.Dialect,
        secret: Bool,
        at location: @autoclosure () -> SourceLocation
    ) throws -> String {
        let hint = secret ? "keep secrets in files the template reads" : "change the value"
        if let bad = scalar.unicodeScalars.first(where: { ($0.value < 0x20 && $0 != "\t") || $0.value == 0x7F }) {
            let what = bad == "\n" || bad == "\r" ? "a line break" : "a control character"
            throw EngineError(
                .invalidInput, "'\(name)' contains \(what) (U+\(Self.hex(bad))), which a template cannot hold",
                at: location(), hint: hint)
        }
        guard let escaped = TemplateQuoting.escape(scalar, for: context, dialect: dialect) else {
            let place: String
            if case .opaque(let where_) = context { place = where_ } else { place = "this place" }
            throw EngineError(
                .invalidInput,
                "'\(name)' sits inside \(place), where a value other than letters, digits and ._-/:@+,% cannot be quoted",
                at: location(),
                hint: secret ? hint : "assign it to a shell variable in single quotes ('{{ \(name) }}') and use that")
        }
        return escaped
    }

    static func hex(_ scalar: Unicode.Scalar) -> String {
        let digits = String(scalar.value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// Reads a file step's template beside the playbook and renders it.
    mutating func render(_ template: InputField, dialect: TemplateQuoting.Dialect) throws -> InputField {
        guard case .scalar(let relative) = template.value else {
            throw EngineError(.invalidInput, "template must be a file name", at: template.location)
        }
        let path = try folder.confine(relative, what: "template '\(relative)'", at: template.location)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EngineError(
                .notFound, "template file '\(relative)' does not exist (looked for \(path))", at: template.location)
        }
        if !templateFiles.contains(path) { templateFiles.append(path) }
        // Never altered: invalid UTF-8 would come out as U+FFFD.
        guard let text = String(data: data, encoding: .utf8) else {
            throw EngineError(.invalidInput, "template file '\(relative)' is not UTF-8 text", at: template.location)
        }
        if data.contains(0) {
            throw EngineError(.invalidInput, "template file '\(relative)' contains NUL", at: template.location)
        }
        let shown = relative.utf8.first == UInt8(ascii: "/") ? relative : templatePrefix + relative
        let location = SourceLocation(file: shown, line: 1, column: 1)
        var rendered = try render(text, pieces: try Template.pieces(text, at: location), at: location, dialect: dialect)
        rendered.location = template.location
        return rendered
    }
}
