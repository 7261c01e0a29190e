import WrtformUCI

/// One structured change a step's check asks for. Changes are journaled, so a rollback days later
/// can undo exactly these — not restore whole files over edits made since.
public enum Change: Sendable, Hashable, Codable {
    /// A new UCI section (named or anonymous), inserted before the section at `position`, or appended.
    case addSection(file: String, match: SectionMatch, options: [OptionSetting], position: Int?)
    /// Options of an existing section set or removed.
    case setOptions(file: String, match: SectionMatch, options: [OptionChange])
    /// A section removed (what it held is kept so rollback can put it back).
    case removeSection(file: String, match: SectionMatch, options: [OptionSetting], position: Int)
    /// A line appended to a plain text file (rt_tables, sysupgrade.conf). `unterminated`: the file
    /// did not end with a line end, so one was added before the line — and a rollback takes it away
    /// again (nil in journals written before this existed).
    case addLine(file: String, line: String, unterminated: Bool? = nil)
    /// A whole file written (scripts, secrets), with what was there before.
    case writeFile(path: String, old: FileState, new: FileState)
    /// A package installed or removed by the package manager (opkg or apk), in the run's own round
    /// trip after the write; what it really added or took away is journaled on the router.
    case package(name: String, install: Bool)
    /// `/etc/init.d/NAME VERB`, after the packages.
    case service(name: String, verb: ServiceVerb)

    public var path: String {
        switch self {
        case .addSection(let file, _, _, _), .setOptions(let file, _, _), .removeSection(let file, _, _, _),
            .addLine(let file, _, _):
            return file
        case .writeFile(let path, _, _):
            return path
        case .package, .service:
            return ""
        }
    }

    /// `line` appended to the plain text file `file` as it is in `state`.
    static func appending(line: String, to file: String, in state: RouterState) -> Change {
        let content = state.file(file).content ?? []
        let unterminated = !content.isEmpty && content.last != UInt8(ascii: "\n")
        return .addLine(file: file, line: line, unterminated: unterminated ? true : nil)
    }

    public var action: StepAction {
        switch self {
        case .addSection, .addLine: return .create
        case .setOptions: return .update
        case .removeSection: return .delete
        case .writeFile(_, let old, _): return old.exists ? .update : .create
        case .package(_, let install): return install ? .create : .delete
        case .service: return .update
        }
    }

    /// Whether the change runs a command on the router (the package round trip) rather than edit a file.
    public var isCommand: Bool {
        switch self {
        case .package, .service: return true
        default: return false
        }
    }
}

/// What a step does to the router, as a plan summarises it.
public enum StepAction: String, Sendable, Codable, Comparable {
    case noop = "no-op"
    case create
    case update
    case delete

    public static func < (lhs: StepAction, rhs: StepAction) -> Bool {
        let order: [StepAction] = [.noop, .update, .create, .delete]
        return (order.firstIndex(of: lhs) ?? 0) < (order.firstIndex(of: rhs) ?? 0)
    }
}
