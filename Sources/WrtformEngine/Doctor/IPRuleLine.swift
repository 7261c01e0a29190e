/// One line of `ip rule show` (busybox or iproute2): `32765:\tfrom 192.168.1.5 iif br-lan lookup pppoe`.
struct IPRuleLine: Equatable {
    var text: String
    var priority: Int?
    var from: String?
    var to: String?
    var iif: String?
    var lookup: String?

    static func parse(_ output: String) -> [IPRuleLine] {
        output.split(whereSeparator: \.isNewline).compactMap { raw in
            let text = String(raw).trimmingSpaces
            let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let first = words.first, first.hasSuffix(":") else { return nil }
            var rule = IPRuleLine(text: text, priority: Int(first.dropLast()))
            for (word, value) in zip(words, words.dropFirst()) {
                switch word {
                case "from": rule.from = value
                case "to": rule.to = value
                case "iif": rule.iif = value
                case "lookup", "table": rule.lookup = value
                default: break
                }
            }
            return rule
        }
    }

    /// A rule netifd adds by itself for an interface with ip4table: `from <own address>` (10000),
    /// `to <own address>` (20000), `iif lo` (90000 + ifindex).
    var isNetifdOwn: Bool {
        iif == "lo" || priority == 10000 || priority == 20000 || (priority ?? 0) >= 90000
    }
}
