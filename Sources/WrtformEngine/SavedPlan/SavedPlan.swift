import Foundation

/// A plan kept in a file (`wrtform plan … --out FILE`) and applied later exactly as it was made
/// (`wrtform apply --plan FILE`): per host, the seal of every file the plan read and each file's
/// new bytes — with secrets left out. It holds no secret value: apply resolves the secrets again
/// from the environment, plans on a fresh read and writes only if every file read still has its
/// seal and the result has the seals the saved plan holds (see `PlanSeal`).
public struct SavedPlan: Sendable, Codable {
    public static let kindName = "wrtform-saved-plan"
    public static let currentFormat = 1

    /// The playbook and the arguments the plan was made with; apply uses the same.
    public struct Source: Sendable, Codable, Equatable {
        /// Absolute path of the playbook.
        public var path: String
        public var name: String
        /// sha256 over the playbook's bytes, its templates' and its --var-files' (never its secret files').
        public var digest: String
        /// `--var name=value` as typed (variables are not secrets), `--var-file` paths (absolute), `--step` ids.
        public var vars: [String]
        public var varFiles: [String]
        public var steps: [String]
        public var allowOutsideTemplates: Bool
        public var prune: Bool
        public var force: Bool

        public init(
            path: String, name: String, digest: String, vars: [String], varFiles: [String], steps: [String],
            allowOutsideTemplates: Bool, prune: Bool, force: Bool
        ) {
            self.path = path
            self.name = name
            self.digest = digest
            self.vars = vars
            self.varFiles = varFiles
            self.steps = steps
            self.allowOutsideTemplates = allowOutsideTemplates
            self.prune = prune
            self.force = force
        }

        enum CodingKeys: String, CodingKey {
            case path, name, digest, vars, steps, prune, force
            case varFiles = "var_files"
            case allowOutsideTemplates = "allow_outside_templates"
        }
    }

    public var kind = SavedPlan.kindName
    public var format = SavedPlan.currentFormat
    public var wrtformVersion = WrtformVersion.current
    public var playbook: Source
    /// One entry per host (one for `plan`, one per planned host for `fleet … plan`), by host name.
    public var hosts: [HostPlan]

    public init(playbook: Source, hosts: [HostPlan]) {
        self.playbook = playbook
        self.hosts = hosts.sorted { $0.host < $1.host }
    }

    enum CodingKeys: String, CodingKey {
        case kind, format, playbook, hosts
        case wrtformVersion = "wrtform_version"
    }

    /// What is read first, so a file of another version or kind is named as such, not as damaged.
    private struct Header: Decodable {
        var kind: String?
        var format: Int?
        var wrtformVersion: String?
        enum CodingKeys: String, CodingKey {
            case kind, format
            case wrtformVersion = "wrtform_version"
        }
    }

    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(self)) + [UInt8(ascii: "\n")]
    }

    /// Whether `bytes` say they are a saved plan (of any format or version): one that `plan --out`
    /// may replace, where any other file is refused.
    public static func isSavedPlan(_ bytes: [UInt8]) -> Bool {
        (try? JSONDecoder().decode(Header.self, from: Data(bytes)))?.kind == kindName
    }

    /// The plan in `bytes` (read from `path`), or one line saying why it cannot be applied.
    public static func decode(_ bytes: [UInt8], path: String) throws -> SavedPlan {
        let remake = "make it again with `wrtform plan PLAYBOOK … --out \(path)`"
        guard let header = try? JSONDecoder().decode(Header.self, from: Data(bytes)), header.kind == kindName else {
            throw EngineError(.invalidInput, "\(path) is not a wrtform saved plan", hint: remake)
        }
        guard header.format == currentFormat else {
            throw EngineError(
                .unsupported,
                "\(path) is a saved plan of format \(header.format.map(String.init) ?? "?"), "
                    + "which wrtform \(WrtformVersion.current) does not read", hint: remake)
        }
        guard header.wrtformVersion == WrtformVersion.current else {
            throw EngineError(
                .unsupported,
                "\(path) was made by wrtform \(header.wrtformVersion ?? "?"), this is wrtform "
                    + "\(WrtformVersion.current): a plan is applied by the version that made it", hint: remake)
        }
        do {
            return try JSONDecoder().decode(SavedPlan.self, from: Data(bytes))
        } catch {
            throw EngineError(.invalidInput, "\(path) is a damaged saved plan (\(Self.reason(error)))", hint: remake)
        }
    }

    /// The entry for `host`: the one asked for, or the only one there is.
    public func entry(for host: String?, path: String) throws -> HostPlan {
        if let host {
            guard let entry = hosts.first(where: { $0.host == host }) else {
                throw EngineError(
                    .notFound,
                    "\(path) holds no plan for host \(host) (it has: "
                        + "\(hosts.map(\.host).joined(separator: ", ")))",
                    hint: "plan that host with --out, or pick one the plan holds")
            }
            return entry
        }
        guard hosts.count == 1 else {
            throw EngineError(
                .invalidInput,
                "\(path) holds plans for \(hosts.count) hosts (\(hosts.map(\.host).joined(separator: ", ")))",
                hint:
                    "apply them with `wrtform fleet --inventory FILE apply --plan \(path)`, or one with --inventory FILE --limit HOST"
            )
        }
        return hosts[0]
    }

    static func reason(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "'\(key.stringValue)' is missing" + Self.at(context)
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "a value has the wrong type" + Self.at(context)
        case DecodingError.dataCorrupted(let context):
            return "it is not valid JSON" + Self.at(context)
        default:
            return "\(error)"
        }
    }

    private static func at(_ context: DecodingError.Context) -> String {
        let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        return path.isEmpty ? "" : " at \(path)"
    }
}
