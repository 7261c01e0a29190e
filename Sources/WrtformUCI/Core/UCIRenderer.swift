/// Writes commands the way `uci commit` does (file.c `uci_export_package`): `config TYPE 'NAME'`,
/// `\toption KEY 'VALUE'`, `\tlist KEY 'ITEM'`, every value in single quotes with `'` written as `'\''`.
enum UCIRenderer {
    /// `'value'`, with each `'` closed, escaped and reopened: `it's` becomes `'it'\''s'`. Reads back unchanged
    /// whatever the value holds (newlines, `#`, `;`, backslashes), since single quotes are fully literal.
    static func quoted(_ value: String) -> String {
        var out = "'"
        out.reserveCapacity(value.utf8.count + 2)
        for scalar in value.unicodeScalars {
            if scalar == "'" {
                out += "'\\''"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        out += "'"
        return out
    }

    /// A section type as uci writes it: bare. A type holding a character that would end or change a bare word
    /// (quotes, backslash, `#`, `;`) is quoted instead, where uci's own export would write something unreadable.
    static func typeToken(_ type: String) -> String {
        let special: Set<UInt8> = [
            UCISyntax.singleQuote, UCISyntax.doubleQuote, UCISyntax.backslash, UCISyntax.hash, UCISyntax.semicolon,
        ]
        return type.utf8.contains(where: special.contains) ? quoted(type) : type
    }

    static func header(type: String, name: String?) -> String {
        if let name {
            return "config " + typeToken(type) + " " + quoted(name)
        }
        return "config " + typeToken(type)
    }

    /// The lines of one option: one `option` line, or one `list` line per item.
    static func lines(key: String, value: UCIValue) -> [String] {
        switch value {
        case .single(let value): ["\toption " + key + " " + quoted(value)]
        case .list(let items): items.map { "\tlist " + key + " " + quoted($0) }
        }
    }

    /// One parsed command on its own line, without line end.
    static func line(for kind: UCICommand.Kind) -> String {
        switch kind {
        case .package(let name): "package " + name
        case .config(let type, let name): header(type: type, name: name)
        case .option(let key, let value): "\toption " + key + " " + quoted(value)
        case .list(let key, let value): "\tlist " + key + " " + quoted(value)
        }
    }
}
