/// Ensures `ID NAME` in /etc/iproute2/rt_tables (the recipe's `300 pppoe`): netifd silently drops a
/// rule whose table name it cannot resolve. Written `ID<TAB>NAME` with nothing after, so LuCI lists it.
public struct RoutingTableStep: Step {
    public let id: String
    public let location: SourceLocation?
    public let tableID: Int
    public let name: String
    public var kind: StepKind { .routingTable }
    public var files: [String] { [ConfigFile.rtTables] }
    public var provides: [Resource] { [.routingTable(name), .routingTable(String(tableID))] }

    /// What a router without the file gets: the reserved tables, then ours.
    static let stockContent =
        "# Routing tables: number, then name (written by wrtform; the reserved ones first).\n255\tlocal\n254\tmain\n253\tdefault\n0\tunspec\n"

    public init(_ input: StepInput) throws {
        try input.allowOnly(["id", "name"])
        id = input.id
        location = input.location
        guard let table = try input.integer("id", in: 1...2_147_483_647) else {
            throw EngineError(.invalidInput, "routing-table step '\(input.id)' needs an 'id'", at: input.location)
        }
        if [253, 254, 255].contains(table) {
            throw input.error("id", "table id \(table) is reserved (default, main, local)")
        }
        tableID = table
        name = try input.requiredString("name")
        guard Validate.tableName(name) else {
            throw input.error(
                "name",
                "'\(name)' is not a valid routing table name (letters, digits, _ and -, not starting with a digit)")
        }
    }

    public func check(_ state: RouterState) throws -> [Change] {
        let current = state.file(ConfigFile.rtTables)
        let entries = Self.entries(current.text)
        if let existing = entries.first(where: { $0.id == tableID }) {
            if existing.name == name { return [] }
            throw EngineError(
                .conflict, "\(ConfigFile.rtTables) already gives table \(tableID) the name '\(existing.name)'",
                at: location,
                hint: "choose another id, or rename the table")
        }
        if let existing = entries.first(where: { $0.name == name }) {
            throw EngineError(
                .conflict, "\(ConfigFile.rtTables) already names table \(existing.id) '\(name)'", at: location,
                hint: "use id \(existing.id), or another name")
        }
        let line = "\(tableID)\t\(name)"
        if !current.exists {
            let created = FileState(content: Array((Self.stockContent + line + "\n").utf8), mode: "0644", owner: "0:0")
            return [.writeFile(path: ConfigFile.rtTables, old: current, new: created)]
        }
        return [Change.appending(line: line, to: ConfigFile.rtTables, in: state)]
    }

    /// `number name` pairs as netifd reads them: lines split on LF bytes (a CR before it dropped),
    /// fields on spaces or tabs, comments skipped.
    static func entries(_ text: String) -> [(id: Int, name: String)] {
        LineFile.lines(Array(text.utf8)).compactMap { line in
            let fields = LineFile.fields(line)
            guard fields.count >= 2, !fields[0].utf8.starts(with: "#".utf8),
                fields[0].utf8.allSatisfy({ (48...57).contains($0) }), let number = Int(fields[0])
            else { return nil }
            return (number, fields[1])
        }
    }
}
