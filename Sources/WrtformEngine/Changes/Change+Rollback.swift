import WrtformUCI

/// The rollback phase of a change: undo it on the router's CURRENT state, keeping edits made since.
/// Whatever the change set that has been changed again since is a conflict, not overwritten.
extension Change {
    public enum RollbackOutcome: Sendable, Equatable {
        case undone
        /// Nothing left to undo (rolled back already, or removed by hand).
        case alreadyUndone
        /// Changed again since: `message` for the error, `details` for plans and JSON. What does
        /// not conflict in the same change is undone in `state` all the same.
        /// `undone`: the part of the change undone nonetheless (options that did not conflict).
        case conflict(String, details: [RollbackConflict], undone: Change? = nil)
    }

    public func rollback(in state: inout RouterState, force: Bool, secretKeys: Set<String>) throws -> RollbackOutcome {
        switch self {
        case .addSection(let file, let match, let options, _):
            let document = try state.uci(file)
            guard let section = match.find(in: document).first else { return .alreadyUndone }
            let drifted = options.filter { !$0.value.isEquivalent(to: section[$0.key]) }
            if !drifted.isEmpty && !force {
                return .conflict(
                    "\(file): \(match) was changed since (\(describe(drifted.map(\.key), section, secretKeys)))",
                    details: drifted.map {
                        RollbackConflict(
                            reason: .addedSectionChanged, file: file, section: match.description, option: $0.key,
                            expected: masked($0.key, $0.value, secretKeys),
                            found: masked($0.key, section[$0.key], secretKeys))
                    })
            }
            try state.editUCI(file) { document in try uciEdit { try document.deleteSection(section.id) } }
            return .undone

        case .setOptions(let file, let match, let options):
            let document = try state.uci(file)
            guard let section = match.find(in: document).first else {
                return force
                    ? .alreadyUndone
                    : .conflict(
                        "\(file): \(match) no longer exists",
                        details: [RollbackConflict(reason: .sectionRemoved, file: file, section: match.description)])
            }
            var toRestore: [OptionChange] = []
            var drifted: [OptionChange] = []
            for option in options {
                let current = section[option.key]
                if UCIValue.same(current, option.new) {
                    toRestore.append(option)
                } else if UCIValue.same(current, option.old) {
                    continue // already back
                } else {
                    drifted.append(option)
                    if force { toRestore.append(option) }
                }
            }
            if !toRestore.isEmpty {
                try state.editUCI(file) { document in
                    for option in toRestore {
                        try uciEdit { try document.set(option.key, to: option.old, in: section.id) }
                    }
                }
            }
            if !drifted.isEmpty && !force {
                return .conflict(
                    "\(file): \(match) was changed since (\(describe(drifted.map(\.key), section, secretKeys)))",
                    details: drifted.map {
                        RollbackConflict(
                            reason: .optionChanged, file: file, section: match.description, option: $0.key,
                            expected: masked($0.key, $0.new, secretKeys),
                            found: masked($0.key, section[$0.key], secretKeys))
                    },
                    undone: toRestore.isEmpty ? nil : .setOptions(file: file, match: match, options: toRestore))
            }
            return toRestore.isEmpty ? .alreadyUndone : .undone

        case .removeSection(let file, let match, let options, let position):
            let document = try state.uci(file)
            if !match.find(in: document).isEmpty { return .alreadyUndone }
            try state.editUCI(file) { document in
                let at = position < document.sections.count ? position : nil
                try uciEdit {
                    try document.addSection(
                        type: match.type, name: match.name, options: options.map { UCIOption($0.key, $0.value) }, at: at
                    )
                }
            }
            return .undone

        case .addLine(let file, let line, let unterminated):
            // By bytes: a CRLF file's lines end in "\r\n", one Character that a split on "\n" misses.
            var current = state.file(file)
            guard var content = current.content else { return .alreadyUndone }
            let ranges = LineFile.ranges(content)
            guard let index = ranges.lastIndex(where: { LineFile.body(content[$0]).elementsEqual(line.utf8) }) else {
                return .alreadyUndone
            }
            content.removeSubrange(ranges[index])
            // The line end added before our line goes too, while our line was still the last one.
            if unterminated == true, index == ranges.count - 1, content.last == UInt8(ascii: "\n") {
                content.removeLast()
            }
            current.content = content
            state.write(file, current)
            return .undone

        case .writeFile(let path, let old, let new):
            let current = state.file(path)
            if current.content == old.content && (!old.exists || current.mode == old.mode) { return .alreadyUndone }
            if current.content != new.content && !force {
                return .conflict(
                    "\(path) was changed since it was written",
                    details: [
                        RollbackConflict(
                            reason: .fileChanged, file: path, expected: .single(new.hash),
                            found: current.exists ? .single(current.hash) : nil)
                    ])
            }
            state.write(path, old)
            return .undone

        case .package, .service:
            // Undone from what the run's package round trip journaled (Rollback+Commands), not from the plan.
            return .alreadyUndone
        }
    }

    private func masked(_ key: String, _ value: UCIValue?, _ secretKeys: Set<String>) -> UCIValue? {
        value.map { secretKeys.contains(key) ? .single("(secret)") : $0 }
    }

    private func describe(_ keys: [String], _ section: UCISection, _ secretKeys: Set<String>) -> String {
        keys.map { key in
            let value = secretKeys.contains(key) ? "(secret)" : (section[key]?.displayText ?? "unset")
            return "\(key) is now \(value)"
        }.joined(separator: ", ")
    }
}
