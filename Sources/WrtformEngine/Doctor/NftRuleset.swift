/// `nft list ruleset` cut into chains, so doctor can ask what fw4 actually loaded: a chain's rules
/// by name (fw4 names them `srcnat_ZONE`, `dstnat_ZONE`, `forward_ZONE`, `mangle_postrouting`).
struct NftRuleset {
    /// Chain name → its rule lines, trimmed.
    private(set) var chains: [String: [String]] = [:]

    init(_ output: String) {
        var stack: [String?] = []
        for raw in output.split(whereSeparator: \.isNewline) {
            let line = String(raw).trimmingSpaces
            if line.hasSuffix("{") {
                let words = line.split(separator: " ")
                stack.append(words.first == "chain" && words.count >= 3 ? String(words[1]) : nil)
            } else if line == "}" {
                _ = stack.popLast()
            } else if let chain = stack.last ?? nil, !line.isEmpty {
                chains[chain, default: []].append(line)
            }
        }
    }

    func rules(_ chain: String) -> [String] { chains[chain] ?? [] }

    var allRules: [String] { chains.values.flatMap { $0 } }

    /// Whether a rule's words contain `word` followed by `value` (`dport 443`, `jump accept_to_wan`),
    /// as whole words: `dport 4433` is not port 443.
    static func has(_ rule: String, _ word: String, _ value: String) -> Bool {
        let words = rule.split(separator: " ").map { String($0).trimming(",{}") }
        return zip(words, words.dropFirst()).contains { $0 == word && $1 == value }
    }
}

extension String {
    /// The string without any of `characters` at either end.
    func trimming(_ characters: String) -> String {
        var text = Substring(self)
        while let first = text.first, characters.contains(first) { text.removeFirst() }
        while let last = text.last, characters.contains(last) { text.removeLast() }
        return String(text)
    }
}
