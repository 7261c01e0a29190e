import Foundation
import WrtformUCI

/// Turns what a router has into playbook steps that plan clean against it: every step is checked
/// against the snapshot it came from, and a section no dedicated step kind reproduces exactly is
/// taken as a `uci-section` (or left out, with a warning) rather than imported wrong.
public struct Importer: Sendable {
    public var options: ImportOptions

    public init(options: ImportOptions) {
        self.options = options
    }

    /// What an import reads: every config, the routing tables, sysupgrade.conf and the hotplug
    /// scripts — one round trip (patterns are expanded on the router).
    public static let paths = [
        "/etc/config/*", ConfigFile.rtTables, ConfigFile.sysupgrade, "/etc/hotplug.d/*/*", OwnershipRecord.path,
    ]

    /// Reads the router: one round trip, plus a second only when sysupgrade.conf names files outside
    /// /etc/hotplug.d (a password file a hook reads), whose names the first read could not know.
    public func snapshot(from target: any RouterTarget) async throws -> Snapshot {
        let first = try await target.snapshot(paths: Self.paths, run: nil)
        let extra = Self.keptFiles(in: first).filter { first.files[$0] == nil }
        guard !extra.isEmpty else { return first }
        let second = try await target.snapshot(paths: extra, run: nil)
        var merged = first
        for (path, state) in second.files where merged.files[path] == nil { merged.files[path] = state }
        return merged
    }

    /// The import of `snapshot`; `source` names the router in the header.
    public func run(on snapshot: Snapshot, source: String) throws -> ImportedPlaybook {
        var builder = ImportBuilder(options: options, snapshot: snapshot, source: source)
        try builder.build()
        return builder.result
    }

    /// The paths sysupgrade.conf lists that name single files wrtform can keep as `file` steps
    /// (rt_tables and sysupgrade.conf are kept line by line by their own step kinds).
    static func keptFiles(in snapshot: Snapshot) -> [String] {
        keptPaths(in: snapshot).filter { path in
            !path.hasSuffix("/") && !path.hasPrefix("/etc/config/") && !isBookkeeping(path)
                && path != ConfigFile.rtTables && path != ConfigFile.sysupgrade
                && SnapshotGlob.pattern(path) == nil && path.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
        }
    }

    /// wrtform's own files (the ownership record, the run journals) are never imported as steps.
    static func isBookkeeping(_ path: String) -> Bool {
        path == OwnershipRecord.path || path.hasPrefix(Shell.runs + "/")
    }

    /// The non-comment lines of sysupgrade.conf.
    static func keptPaths(in snapshot: Snapshot) -> [String] {
        (snapshot.files[ConfigFile.sysupgrade]?.text ?? "").split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }
}
