import Foundation

/// Lists files in /etc/sysupgrade.conf so rt_tables and the hotplug script survive a firmware upgrade.
/// sysupgrade splits the file's lines as shell words, so a path holds what a `file` step's path may
/// (no spaces, quotes, controls, DEL or U+2028), in normal form; a trailing `/` keeps a directory.
public struct SysupgradeKeepStep: Step {
    public let id: String
    public let location: SourceLocation?
    public let paths: [String]
    public var kind: StepKind { .sysupgradeKeep }
    public var files: [String] { [ConfigFile.sysupgrade] }

    public init(_ input: StepInput) throws {
        try input.allowOnly(["paths"])
        id = input.id
        location = input.location
        let typed = try input.strings("paths") ?? []
        guard !typed.isEmpty else {
            throw EngineError(.invalidInput, "sysupgrade-keep step '\(id)' lists no paths", at: input.location)
        }
        paths = try typed.map { path in
            switch RouterPath.normalise(path, directory: true) {
            case .success(let normal): return normal
            case .failure(.notAbsolute): throw input.error("paths", "'\(path)' is not an absolute path")
            case .failure(let problem): throw input.error("paths", RouterPath.describe(problem, path, what: "path"))
            }
        }
    }

    public func check(_ state: RouterState) throws -> [Change] {
        let current = state.file(ConfigFile.sysupgrade)
        let present = Set(LineFile.lines(current.content ?? []).map { LineFile.trimmed($0) })
        var seen = present
        let added = paths.filter { seen.insert($0).inserted }
        guard !added.isEmpty else { return [] }
        // A router without the file gets it created — so a rollback removes it again, not leaves it empty.
        if !current.exists {
            let created = FileState(content: Array(added.map { $0 + "\n" }.joined().utf8), mode: "0644", owner: "0:0")
            return [.writeFile(path: ConfigFile.sysupgrade, old: current, new: created)]
        }
        var state = state
        return try added.map { path in
            let change = Change.appending(line: path, to: ConfigFile.sysupgrade, in: state)
            try change.apply(to: &state)
            return change
        }
    }
}
