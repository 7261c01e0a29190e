/// The sections uci builds from a file's commands, plus where each section and option came from, so an edit can
/// find the lines to change.
struct UCIModel: Sendable {
    var sections: [UCISection] = []
    var positionByID: [UCISection.ID: Int] = [:]
    /// Explicit names only; anonymous sections are found by content or by `uciName`.
    var positionByName: [String: Int] = [:]
    /// The section each `config` command opens (a named section declared twice is one section).
    var sectionOfConfig: [Int: UCISection.ID] = [:]
    /// For each section (by position), the command that created each of its options (in `options` order): where
    /// the option sits in the text.
    var anchors: [[Int]] = []

    /// The command that created option `key` of the section at `position`.
    func anchor(of key: String, inSectionAt position: Int) -> Int? {
        sections[position].options.firstIndex { $0.key == key }.map { anchors[position][$0] }
    }

    /// Replays commands in file order the way libuci does while loading; used after every edit.
    static func build(_ lines: [UCILine]) throws(UCIModelBuilder.Failure) -> UCIModel {
        var builder = UCIModelBuilder()
        for line in lines {
            for command in line.commands {
                try builder.apply(command)
            }
        }
        return builder.finish()
    }
}

/// Applies commands one at a time with libuci's semantics (file.c `uci_parse_config`/`uci_parse_option`, list.c
/// `uci_set`/`uci_add_list`, strict mode):
/// - `config TYPE` adds an anonymous section; `config TYPE 'NAME'` adds a section, or reopens the section already
///   called NAME (its `cfgXXYYYY` name counts too) when the type is the same, and is an error when it differs.
/// - `option KEY VALUE` sets KEY in place (last one wins, keeping the first one's position; a list becomes a single
///   value); an empty VALUE does nothing while loading.
/// - `list KEY ITEM` appends an item; after `option KEY V` of the same key the list starts with V, in its place.
struct UCIModelBuilder {
    enum Failure: Error {
        case optionOutsideSection
        case typeConflict(name: String, firstType: String, type: String)
    }

    private struct Draft {
        var id: Int
        var type: String
        var name: String?
        var uciName: String
        var options: [DraftOption] = []
    }

    private struct DraftOption {
        var key: String
        var value: UCIValue
        var anchor: Int
    }

    private var drafts: [Draft] = []
    /// uci's own name of every section, first one wins as in `uci_lookup_list`.
    private var byUCIName: [String: Int] = [:]
    private var current: Int?
    private var sectionOfConfig: [Int: UCISection.ID] = [:]

    /// Whether a section is open, so option and list lines have somewhere to go.
    var hasOpenSection: Bool { current != nil }

    /// For reading a fragment of lines that sits inside a section.
    mutating func openPlaceholderSection() {
        drafts.append(Draft(id: -1, type: "_", name: nil, uciName: ""))
        current = drafts.count - 1
    }

    mutating func apply(_ command: UCICommand) throws(Failure) {
        switch command.kind {
        case .package:
            return
        case .config(let type, let name):
            if let name, !name.isEmpty {
                if let existing = byUCIName[name] {
                    guard drafts[existing].type == type else {
                        throw .typeConflict(name: name, firstType: drafts[existing].type, type: type)
                    }
                    current = existing
                    sectionOfConfig[command.id] = UCISection.ID(raw: drafts[existing].id)
                    return
                }
                drafts.append(Draft(id: command.id, type: type, name: name, uciName: name))
                byUCIName[name] = drafts.count - 1
            } else {
                let uciName = UCISyntax.anonymousName(position: drafts.count + 1, type: type)
                drafts.append(Draft(id: command.id, type: type, name: nil, uciName: uciName))
                if byUCIName[uciName] == nil {
                    byUCIName[uciName] = drafts.count - 1
                }
            }
            current = drafts.count - 1
            sectionOfConfig[command.id] = UCISection.ID(raw: command.id)
        case .option(let key, let value):
            guard let section = current else { throw .optionOutsideSection }
            // uci_set with an empty value deletes, but only a looked-up option; the parser's lookup is incomplete, so
            // while loading it is a no-op.
            if value.isEmpty { return }
            if let index = drafts[section].options.firstIndex(where: { $0.key == key }) {
                drafts[section].options[index].value = .single(value)
            } else {
                drafts[section].options.append(DraftOption(key: key, value: .single(value), anchor: command.id))
            }
        case .list(let key, let value):
            guard let section = current else { throw .optionOutsideSection }
            if let index = drafts[section].options.firstIndex(where: { $0.key == key }) {
                switch drafts[section].options[index].value {
                case .single(let old):
                    drafts[section].options[index].value = .list([old, value])
                case .list(var items):
                    // Drop the stored copy first so the append does not copy the whole list.
                    drafts[section].options[index].value = .single("")
                    items.append(value)
                    drafts[section].options[index].value = .list(items)
                }
            } else {
                drafts[section].options.append(DraftOption(key: key, value: .list([value]), anchor: command.id))
            }
        }
    }

    func finish() -> UCIModel {
        var model = UCIModel()
        model.sections.reserveCapacity(drafts.count)
        model.anchors.reserveCapacity(drafts.count)
        model.sectionOfConfig = sectionOfConfig
        for draft in drafts where draft.id >= 0 {
            let id = UCISection.ID(raw: draft.id)
            let position = model.sections.count
            model.sections.append(
                UCISection(
                    id: id, type: draft.type, name: draft.name,
                    options: draft.options.map { UCIOption($0.key, $0.value) },
                    index: position, uciName: draft.uciName))
            model.positionByID[id] = position
            if let name = draft.name, model.positionByName[name] == nil {
                model.positionByName[name] = position
            }
            model.anchors.append(draft.options.map(\.anchor))
        }
        return model
    }
}
