import WrtformUCI

/// Works out what one step owns after this run, from the changes it plans and what it owned before.
struct OwnedStepBuilder {
    var step: any Step
    var initial: RouterState

    func entry(changes: [Change], previous: OwnedStep?) throws -> OwnedStep {
        var entry = identity()
        let identityType = entry.match?.type
        let same = previous.map { !Set($0.identityClaims).isDisjoint(with: entry.identityClaims) } ?? false
        let before = same ? previous : nil
        if changes.isEmpty {
            if var kept = before {
                kept.kind = step.kind.rawValue
                if let lines = entry.lines { kept.lines = lines }
                return kept
            }
            return entry // there before wrtform recorded it: owned, but nothing to put back
        }
        entry.run = before?.run
        entry.created = before?.created ?? false
        entry.options = before?.created == true ? nil : before?.options
        entry.added = before?.added
        entry.hash = before?.hash
        entry.companions = before?.companions
        for change in changes {
            switch change {
            // A step may add a helper section too (an interface its port's `config device`): it owns
            // only its own section, the one it names.
            case .addSection(let file, let match, _, _) where identityType.map { $0 == match.type } ?? true:
                entry.file = file
                entry.match = match
                entry.created = true
                entry.options = nil
            case .addSection(_, let match, _, _):
                if !(entry.companions ?? []).contains(match) { entry.companions = (entry.companions ?? []) + [match] }
            case .setOptions(let file, let match, let options) where identityType.map { $0 == match.type } ?? true:
                entry.file = file
                entry.match = match
                guard !entry.created else { continue }
                var owned = entry.options ?? []
                for option in options {
                    let secret = step.secretKeys.contains(option.key)
                    if let index = owned.firstIndex(where: { $0.key == option.key }) {
                        owned[index].value = secret ? nil : option.new
                        continue
                    }
                    owned.append(
                        OwnedOption(
                            key: option.key, value: secret ? nil : option.new, before: secret ? nil : option.old,
                            beforeKnown: !secret || option.old == nil, secret: secret ? true : nil))
                }
                entry.options = owned
            case .addLine(let file, let line, _):
                entry.file = file
                if !initial.file(file).exists { entry.created = true }
                entry.added = (entry.added ?? []) + [line]
            case .writeFile(let path, let old, let new):
                entry.file = path
                if !old.exists { entry.created = true }
                if let table = step as? RoutingTableStep {
                    entry.added = (entry.added ?? []) + ["\(table.tableID)\t\(table.name)"]
                } else {
                    entry.hash = new.hash
                }
            default:
                break
            }
        }
        if let added = entry.added { entry.added = added.reduce(into: []) { if !$0.contains($1) { $0.append($1) } } }
        return entry
    }

    /// What the step names, without looking at the router: its file and section match, lines or path.
    /// Steps that keep one section say so by the section they would add to an empty router.
    func identity() -> OwnedStep {
        var entry = OwnedStep(
            id: step.id, kind: step.kind.rawValue, run: nil, file: step.files.first ?? "", created: false)
        let secret = step.secretKeys.subtracting(UnifiedDiff.defaultSecretOptions).sorted()
        entry.secretKeys = secret.isEmpty ? nil : secret
        switch step {
        case let table as RoutingTableStep:
            entry.lines = ["\(table.tableID)\t\(table.name)"]
        case let keep as SysupgradeKeepStep:
            entry.lines = keep.paths
        case let file as FileStep:
            entry.secret = file.writesSecretFile ? true : nil
        case let options as InterfaceOptionsStep:
            entry.match = SectionMatch(type: "interface", name: options.name)
            entry.options = adopted(options.options)
        case let options as UCIOptionStep:
            var state = initial
            if let section = (try? state.uci(options.file))?.section(at: options.reference) {
                entry.match =
                    section.name.map { SectionMatch(type: section.type, name: $0) }
                    ?? SectionMatch(
                        type: section.type,
                        options: Dictionary(
                            section.options.filter { option in !options.options.contains { $0.key == option.key } }
                                .map { ($0.key, $0.value) }, uniquingKeysWith: { $1 }))
            }
            entry.options = adopted(options.options)
        default:
            if case .addSection(let file, let match, let options, _)? = Self.ownSection(of: step) {
                entry.file = file
                entry.match = match
                entry.options = adopted(options.filter { match.options[$0.key] == nil })
            }
        }
        return entry
    }

    /// The section a step keeps, as it would add it to an empty router: the one of its own type
    /// when it adds more than one (an interface and its port's device section).
    static func ownSection(of step: any Step) -> Change? {
        let adds = ((try? step.check(RouterState(files: [:]))) ?? []).filter {
            if case .addSection = $0 { return true } else { return false }
        }
        if let interface = step as? InterfaceStep {
            return adds.first {
                if case .addSection(_, let match, _, _) = $0 {
                    return match.type == "interface" && match.name == interface.name
                }
                return false
            }
        }
        return adds.first
    }

    private func adopted(_ options: [OptionSetting]) -> [OwnedOption] {
        options.map {
            let secret = step.secretKeys.contains($0.key)
            return OwnedOption(
                key: $0.key, value: secret ? nil : $0.value, before: nil, beforeKnown: false,
                secret: secret ? true : nil)
        }
    }
}
