import WrtformUCI

/// The check shared by every step that keeps one UCI section: find it semantically, then list the
/// managed options that differ. Options the step does not manage are left as the user set them.
struct SectionEnsure: Sendable {
    var file: String
    var match: SectionMatch
    var options: [OptionSetting]
    var position: Int? = nil

    func check(_ state: RouterState, stepID: String, location: SourceLocation?, mustExist: Bool = false) throws
        -> [Change]
    {
        var state = state
        let document = try state.uci(file)
        let found = match.find(in: document)
        if found.count > 1 {
            let places = found.map { "@\($0.type)[\(document.sections(ofType: $0.type).firstIndex(of: $0) ?? 0)]" }
            throw EngineError(
                .conflict,
                "step '\(stepID)': \(file) has \(found.count) sections matching \(match) (\(places.joined(separator: ", ")))",
                at: location, hint: "remove the duplicates, or give the step a more specific match")
        }
        guard let section = found.first else {
            if mustExist {
                throw EngineError(.notFound, "step '\(stepID)': \(file) has no \(match)", at: location)
            }
            var written: [OptionSetting] = match.options.keys.sorted().compactMap { key in
                match.options[key].map { OptionSetting(key, $0) }
            }
            for option in options where !written.contains(where: { $0.key == option.key }) { written.append(option) }
            return [.addSection(file: file, match: match, options: written, position: position)]
        }
        let changes = options.compactMap { option -> OptionChange? in
            let current = section[option.key]
            return UCIValue.same(current, option.value)
                ? nil : OptionChange(key: option.key, old: current, new: option.value)
        }
        return changes.isEmpty ? [] : [.setOptions(file: file, match: match, options: changes)]
    }
}
