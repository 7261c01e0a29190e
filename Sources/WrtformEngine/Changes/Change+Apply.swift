import WrtformUCI

/// The apply phase of a change: carried out on the in-memory state, which then becomes the files written.
extension Change {
    public func apply(to state: inout RouterState) throws {
        switch self {
        case .addSection(let file, let match, let options, let position):
            try state.editUCI(file) { document in
                try uciEdit {
                    try document.addSection(
                        type: match.type, name: match.name,
                        options: options.map { UCIOption($0.key, $0.value) }, at: position)
                }
            }
        case .setOptions(let file, let match, let options):
            try state.editUCI(file) { document in
                guard let section = match.find(in: document).first else {
                    throw EngineError(.notFound, "\(file) has no \(match)")
                }
                for option in options {
                    try uciEdit { try document.set(option.key, to: option.new, in: section.id) }
                }
            }
        case .removeSection(let file, let match, _, _):
            try state.editUCI(file) { document in
                guard let section = match.find(in: document).first else { return }
                try uciEdit { try document.deleteSection(section.id) }
            }
        case .addLine(let file, let line, _):
            var current = state.file(file)
            var bytes = current.content ?? []
            if let last = bytes.last, last != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: "\n")) }
            bytes.append(contentsOf: Array(line.utf8))
            bytes.append(UInt8(ascii: "\n"))
            current.content = bytes
            state.write(file, current)
        case .writeFile(let path, _, let new):
            state.write(path, new)
        case .package(let name, let install):
            if install {
                if state.packages?.installed[name] == nil { state.packages?.installed[name] = "" }
                state.packagesInstalling.insert(name)
            } else {
                state.packages?.installed[name] = nil
            }
        case .service(let name, let verb):
            var current = state.services[name] ?? ServiceState(exists: true, enabled: false, running: false)
            switch verb {
            case .enable: current.enabled = true
            case .disable: current.enabled = false
            case .start: current.running = true
            case .stop: current.running = false
            }
            state.services[name] = current
        }
    }
}

/// Runs a UCI edit, turning its error into the engine's.
@discardableResult
func uciEdit<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as UCIError {
        throw EngineError(.invalidInput, "\(error)")
    }
}
