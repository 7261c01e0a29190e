/// Hides the values of secret options (PPPoE and DDNS passwords, Wi-Fi keys) in a config text, line by line, so a
/// diff can show that such a line changed without showing what it says.
enum SecretMasker {
    static let mask = "'(secret)'"

    /// The text's physical lines (each with its line end) with every secret value replaced by `'(secret)'`.
    /// Text uci would reject is masked by a cautious line-based reading instead.
    static func maskedLines(of text: String, secrets: Set<String>) -> [String] {
        let lowered = Set(secrets.map { $0.lowercased() })
        let bytes = Array(text.utf8)
        var ranges: [Range<Int>] = []
        var parser = UCIParser(text: text, path: "")
        if let lines = try? parser.parse() {
            for line in lines {
                for command in line.commands {
                    switch command.kind {
                    case .option(let key, _), .list(let key, _):
                        if lowered.contains(key.lowercased()), let range = command.valueRange {
                            ranges.append(range)
                        }
                    default:
                        break
                    }
                }
            }
        } else {
            ranges = fallbackRanges(bytes, secrets: lowered)
        }
        return apply(ranges, to: bytes)
    }

    /// Splits into physical lines and replaces, on each line, each stretch inside a secret range.
    private static func apply(_ ranges: [Range<Int>], to bytes: [UInt8]) -> [String] {
        var result: [String] = []
        var start = 0
        var rangeIndex = 0
        let sorted = ranges.sorted { $0.lowerBound < $1.lowerBound }
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != UCISyntax.newline {
                end += 1
            }
            var contentEnd = end
            if contentEnd > start && bytes[contentEnd - 1] == UCISyntax.carriageReturn {
                contentEnd -= 1
            }
            let lineEnd = end < bytes.count ? end + 1 : end
            while rangeIndex < sorted.count && sorted[rangeIndex].upperBound <= start {
                rangeIndex += 1
            }
            var out: [UInt8] = []
            var position = start
            var index = rangeIndex
            while index < sorted.count && sorted[index].lowerBound < contentEnd {
                let range = sorted[index]
                let from = max(range.lowerBound, start)
                let to = min(range.upperBound, contentEnd)
                if from < to && from >= position {
                    out += bytes[position..<from]
                    out += Array(mask.utf8)
                    position = to
                } else if from < to && to > position {
                    position = to
                }
                index += 1
            }
            out += bytes[position..<lineEnd]
            result.append(String(decoding: out, as: UTF8.self))
            start = lineEnd
        }
        return result
    }

    /// For text that does not parse: on a line whose words include option/list/o/l followed by a secret key, hide
    /// everything after the key; if a quote opened there is not closed on the line, hide following lines until one
    /// holds that quote.
    private static func fallbackRanges(_ bytes: [UInt8], secrets: Set<String>) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        var openQuote: UInt8?
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != UCISyntax.newline {
                end += 1
            }
            if let quote = openQuote {
                ranges.append(start..<end)
                if bytes[start..<end].contains(quote) {
                    openQuote = nil
                }
            } else if let valueStart = secretValueStart(bytes, start, end, secrets) {
                ranges.append(valueStart..<end)
                openQuote = unclosedQuote(bytes[valueStart..<end])
            }
            start = end + 1
        }
        return ranges
    }

    private static func secretValueStart(_ bytes: [UInt8], _ start: Int, _ end: Int, _ secrets: Set<String>) -> Int? {
        // Words split at whitespace and ';', quotes stripped from the key.
        var words: [(text: String, end: Int)] = []
        var index = start
        while index < end {
            while index < end && (UCISyntax.isSpace(bytes[index]) || bytes[index] == UCISyntax.semicolon) {
                index += 1
            }
            let wordStart = index
            while index < end && !UCISyntax.isSpace(bytes[index]) && bytes[index] != UCISyntax.semicolon {
                index += 1
            }
            if index > wordStart {
                let raw = bytes[wordStart..<index].filter { $0 != UCISyntax.singleQuote && $0 != UCISyntax.doubleQuote }
                words.append((String(decoding: raw, as: UTF8.self), index))
            }
        }
        for (position, word) in words.enumerated().dropLast() where ["option", "list", "o", "l"].contains(word.text) {
            if secrets.contains(words[position + 1].text.lowercased()) {
                var valueStart = words[position + 1].end
                while valueStart < end && (bytes[valueStart] == UCISyntax.space || bytes[valueStart] == UCISyntax.tab) {
                    valueStart += 1
                }
                return valueStart
            }
        }
        return nil
    }

    private static func unclosedQuote(_ bytes: ArraySlice<UInt8>) -> UInt8? {
        var open: UInt8?
        var escaped = false
        for byte in bytes {
            if let quote = open {
                if quote == UCISyntax.doubleQuote && byte == UCISyntax.backslash && !escaped {
                    escaped = true
                    continue
                }
                if byte == quote && !escaped { open = nil }
                escaped = false
            } else if byte == UCISyntax.singleQuote || byte == UCISyntax.doubleQuote {
                open = byte
            } else if byte == UCISyntax.hash {
                break
            }
        }
        return open
    }
}
