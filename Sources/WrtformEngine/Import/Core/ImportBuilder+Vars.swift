/// An IPv4 address several steps use (the home server in a redirect and a rule) becomes one
/// variable, so changing it is one edit. Only whole values, or an address before its `/prefix`.
extension ImportBuilder {
    mutating func extractVariables() {
        var uses: [String: [(step: Int, key: String)]] = [:]
        func scan(_ fields: [ImportedField], step: Int) {
            for field in fields {
                switch field.value {
                case .text(let text):
                    if let address = Self.address(in: text) { uses[address, default: []].append((step, field.key)) }
                case .map(let inner): scan(inner, step: step)
                default: break
                }
            }
        }
        for (index, step) in result.steps.enumerated() { scan(step.fields, step: index) }
        for (address, places) in uses.sorted(by: { $0.key < $1.key }) where Set(places.map(\.step)).count >= 2 {
            let first = places[0]
            var base = String(
                (result.steps[first.step].id + "_" + first.key).lowercased().unicodeScalars.map { scalar -> Character in
                    scalar.isASCII && (("a"..."z").contains(scalar) || ("0"..."9").contains(scalar))
                        ? Character(scalar) : "_"
                })
            if base.first?.isNumber ?? true { base = "v_" + base }
            var name = base
            var number = 2
            while secretNames.contains(name) || result.vars.contains(where: { $0.name == name }) {
                name = "\(base)_\(number)"
                number += 1
            }
            let usedBy = places.map { "\(result.steps[$0.step].id) (\($0.key))" }.joined(separator: ", ")
            result.vars.append(ImportedVariable(name: name, value: address, usedBy: usedBy))
            for index in Set(places.map(\.step)) {
                result.steps[index].fields = Self.substitute(address, name, in: result.steps[index].fields)
            }
        }
    }

    static func substitute(_ value: String, _ name: String, in fields: [ImportedField]) -> [ImportedField] {
        fields.map { field in
            switch field.value {
            case .text(let text) where address(in: text) == value:
                return ImportedField(field.key, .template("{{ \(name) }}" + text.dropFirst(value.count)))
            case .map(let inner):
                return ImportedField(field.key, .map(substitute(value, name, in: inner)))
            default:
                return field
            }
        }
    }

    /// The IPv4 address a value is, or starts with before a `/`; not 0.*, 127.* or 255.* (masks).
    static func address(in text: String) -> String? {
        let head =
            text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? text
        let parts = head.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4,
            parts.allSatisfy({
                !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isASCIIDigit) && (Int($0) ?? 256) <= 255
            }),
            let first = Int(parts[0]), ![0, 127, 255].contains(first)
        else { return nil }
        return head
    }
}
