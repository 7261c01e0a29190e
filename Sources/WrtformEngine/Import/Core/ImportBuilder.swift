import Foundation
import WrtformUCI

/// The work of one import: walks the snapshot in dependency order (tables, devices, interfaces,
/// zones, forwardings, rules, redirects, other sections, files), turns each thing into the most
/// specific step that reproduces it exactly, and keeps secret values out of the steps.
struct ImportBuilder {
    let options: ImportOptions
    let snapshot: Snapshot
    var state: RouterState
    var result: ImportedPlaybook
    var groups: [Int: [ImportedStep]] = [:]
    var usedIDs: Set<String> = []
    var secretNames: Set<String> = []
    /// Secrets a candidate step uses, registered only once a step using them is kept.
    var pending: [String: (secret: ImportedSecret, value: String)] = [:]

    init(options: ImportOptions, snapshot: Snapshot, source: String) {
        self.options = options
        self.snapshot = snapshot
        state = RouterState(files: snapshot.files)
        result = ImportedPlaybook(name: options.name, source: source)
    }

    mutating func build() throws {
        let whole = options.configs == nil
        if whole || options.kinds?.contains(.routingTable) == true { importTables() }
        for config in try configs() { importConfig(config) }
        if whole || options.kinds?.contains(.file) == true { importFiles() }
        if whole || options.kinds?.contains(.sysupgradeKeep) == true { importSysupgrade() }
        result.steps = groups.keys.sorted().flatMap { groups[$0] ?? [] }
        extractVariables()
    }

    func allowed(_ kind: StepKind) -> Bool { options.kinds.map { $0.contains(kind) } ?? true }

    mutating func configs() throws -> [String] {
        let present = snapshot.files.keys.filter { $0.hasPrefix("/etc/config/") && snapshot.files[$0]?.exists == true }
            .map { String($0.dropFirst("/etc/config/".count)) }.filter { !$0.hasPrefix(".") }.sorted()
        guard let named = options.configs else {
            return options.all ? present : ImportOptions.defaultConfigs.filter(present.contains)
        }
        if let missing = named.first(where: { !present.contains($0) }) {
            throw EngineError(
                .invalidInput, "--config \(missing): the router has no /etc/config/\(missing)",
                hint: "it has: \(present.joined(separator: ", "))")
        }
        return named
    }

    // MARK: - Steps

    /// Adds the step if it plans clean on the router it came from; registers the secrets it uses.
    mutating func keep(_ step: ImportedStep, group: Int) -> Bool {
        guard verify(step) else { return false }
        var step = step
        step.id = uniqueID(step.id)
        for name in Self.secretsUsed(in: step.fields) {
            guard let entry = pending[name], result.secretValues[name] == nil else { continue }
            result.secrets.append(entry.secret)
            result.secretValues[name] = entry.value
        }
        groups[group, default: []].append(step)
        return true
    }

    /// Whether the step, with the router's own secret values, would change nothing.
    func verify(_ step: ImportedStep) -> Bool {
        var values = result.secretValues
        for (name, entry) in pending { values[name] = entry.value }
        let input = StepInput(
            id: step.id, kind: step.kind.rawValue, fields: ImportInput.fields(step.fields, secrets: values),
            location: nil, baseDirectory: "/")
        guard let made = try? StepCatalog.make(input), let changes = try? made.check(state), changes.isEmpty,
            let graph = try? StepGraph([StepGraph.Node(step: made)])
        else { return false }
        // What it refers to must be on the router (a zone naming a missing interface plans as an error).
        return (try? Planner().resolveReferences(graph, in: state)) != nil
    }

    mutating func uniqueID(_ base: String) -> String {
        var clean = String(
            base.unicodeScalars.map { scalar -> Character in
                let ok =
                    (scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar))) || scalar == "_" || scalar == "."
                    || scalar == "-"
                return ok ? Character(scalar) : "-"
            })
        while clean.contains("--") { clean = clean.replacingOccurrences(of: "--", with: "-") }
        clean = String(clean.drop { $0 == "-" })
        if clean.isEmpty { clean = "step" }
        var id = clean
        var number = 2
        while usedIDs.contains(id) {
            id = "\(clean)-\(number)"
            number += 1
        }
        usedIDs.insert(id)
        return id
    }

    /// A secret for a value, named after where it is (`wanppp_password`, WRTFORM_WANPPP_PASSWORD).
    mutating func secret(named base: String, value: String, origin: String) -> String {
        if let existing = result.secretValues.first(where: { $0.value == value })?.key
            ?? pending.first(where: { $0.value.value == value })?.key
        {
            return existing
        }
        var clean = String(
            base.lowercased().unicodeScalars.map { scalar -> Character in
                scalar.isASCII && CharacterSet.alphanumerics.contains(scalar) ? Character(scalar) : "_"
            })
        if clean.first?.isNumber ?? true { clean = "s_" + clean }
        var name = clean
        var number = 2
        while secretNames.contains(name) {
            name = "\(clean)_\(number)"
            number += 1
        }
        secretNames.insert(name)
        pending[name] = (ImportedSecret(name: name, environment: "WRTFORM_" + name.uppercased(), origin: origin), value)
        return name
    }

    /// The names a step's fields use, in the order they appear (so `secrets:` follows the steps).
    static func secretsUsed(in fields: [ImportedField]) -> [String] {
        var names: [String] = []
        for field in fields {
            switch field.value {
            case .secret(let name): names.append(name)
            case .template(let text): names += ImportInput.placeholders(in: text).sorted()
            case .map(let inner): names += secretsUsed(in: inner)
            case .text, .list: break
            }
        }
        return names
    }

    // MARK: - Routing tables, files, sysupgrade.conf

    mutating func importTables() {
        guard allowed(.routingTable), let text = snapshot.files[ConfigFile.rtTables]?.text else { return }
        for line in text.split(whereSeparator: \.isNewline) {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard words.count >= 2, !words[0].hasPrefix("#"), Int(words[0]) != nil else { continue }
            if StockConfig.tables.contains(words[0]) { continue } // a fresh image's own: not a step
            let step = ImportedStep(
                id: "table-\(words[1])", kind: .routingTable,
                origin: "\(ConfigFile.rtTables): '\(words[0]) \(words[1])'",
                fields: [ImportedField("id", .text(words[0])), ImportedField("name", .text(words[1]))])
            if !keep(step, group: 0) {
                result.warnings.append("left out routing table line '\(line)': it does not read back the same")
            }
        }
    }

    mutating func importSysupgrade() {
        guard allowed(.sysupgradeKeep) else { return }
        let paths = Importer.keptPaths(in: snapshot).filter { path in
            path.utf8.allSatisfy { $0 >= 0x20 && $0 != 0x7F } && !path.contains("{{")
        }
        guard !paths.isEmpty else { return }
        let step = ImportedStep(
            id: "keep-on-upgrade", kind: .sysupgradeKeep, origin: "\(ConfigFile.sysupgrade) (\(paths.count) line(s))",
            fields: [ImportedField("paths", .list(paths))])
        if !keep(step, group: 11) {
            result.warnings.append("left out \(ConfigFile.sysupgrade): its lines do not read back the same")
        }
    }

    mutating func importFiles() {
        guard allowed(.file) else { return }
        let hooks = snapshot.files.keys.filter {
            $0.hasPrefix("/etc/hotplug.d/") && !StockConfig.hotplugFiles.contains($0)
        }
        let kept = Importer.keptFiles(in: snapshot)
        for path in Set(hooks + kept).sorted() {
            guard let file = snapshot.files[path], file.exists else { continue }
            importFile(path, file)
        }
    }
}
