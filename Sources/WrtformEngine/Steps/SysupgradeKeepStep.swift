import Foundation

/// Lists files in /etc/sysupgrade.conf so rt_tables and the hotplug script survive a firmware upgrade.
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
        paths = try input.strings("paths") ?? []
        guard !paths.isEmpty else { throw EngineError(.invalidInput, "sysupgrade-keep step '\(id)' lists no paths", at: input.location) }
        for path in paths where !path.hasPrefix("/") || path.unicodeScalars.contains(where: { $0.value < 0x20 }) {
            throw input.error("paths", "'\(path)' is not an absolute path")
        }
    }

    public func check(_ state: RouterState) throws -> [Change] {
        let present = Set(state.file(ConfigFile.sysupgrade).text.split(whereSeparator: \.isNewline).map {
            $0.trimmingCharacters(in: .whitespaces)
        })
        var seen = present
        return paths.compactMap { path in
            guard seen.insert(path).inserted else { return nil }
            return .addLine(file: ConfigFile.sysupgrade, line: path)
        }
    }
}
