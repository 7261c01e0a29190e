/// Plain line-based files (rt_tables, sysupgrade.conf) split as their readers split them: on 0x0A
/// BYTES, never on Characters ("\r\n" is one Character, so a CRLF file would read as one line). A
/// CR before the LF is the line end's, not the line's: a file edited on Windows reads the same.
enum LineFile {
    /// Each line's range in `content`, its line end (LF, or CR LF) included; a last line without
    /// one is included too.
    static func ranges(_ content: [UInt8]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        for (index, byte) in content.enumerated() where byte == UInt8(ascii: "\n") {
            ranges.append(start..<index + 1)
            start = index + 1
        }
        if start < content.count { ranges.append(start..<content.count) }
        return ranges
    }

    /// A line's bytes without its line end.
    static func body(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var line = line
        if line.last == UInt8(ascii: "\n") { line = line.dropLast() }
        if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
        return line
    }

    /// Every line's bytes, without line ends.
    static func lines(_ content: [UInt8]) -> [ArraySlice<UInt8>] {
        ranges(content).map { body(content[$0]) }
    }

    /// A line as text, without the spaces and tabs around it.
    static func trimmed(_ line: ArraySlice<UInt8>) -> String {
        let blank: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        guard let first = line.firstIndex(where: { !blank($0) }), let last = line.lastIndex(where: { !blank($0) })
        else { return "" }
        return String(decoding: line[first...last], as: UTF8.self)
    }

    /// The fields of a line split on spaces and tabs, as netifd reads rt_tables.
    static func fields(_ line: ArraySlice<UInt8>) -> [String] {
        line.split(whereSeparator: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") })
            .map { String(decoding: $0, as: UTF8.self) }
    }
}
