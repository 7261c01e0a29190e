import Foundation

/// A plan kept in a file (`wrtform plan … --out FILE`) and applied later exactly as it was made
/// (`wrtform apply --plan FILE`): per host, the seal of every file the plan read and each file's
/// new bytes — with secrets left out. It holds no secret value: apply resolves the secrets again
/// from the environment, plans on a fresh read and writes only if every file read still has its
/// seal and the result has the seals the saved plan holds (see `PlanSeal`). The file ends with a
/// MAC of every byte before it under the plan key: an edited file is refused before anything else.
public struct SavedPlan: Sendable, Codable {
    public static let kindName = "wrtform-saved-plan"
    public static let currentFormat = 2

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
    /// Names the plan key the file was sealed with (set by `sealed(with:)`).
    public var keyID: String?

    public init(playbook: Source, hosts: [HostPlan]) {
        self.playbook = playbook
        self.hosts = hosts.sorted { $0.host < $1.host }
    }

    enum CodingKeys: String, CodingKey {
        case kind, format, playbook, hosts
        case wrtformVersion = "wrtform_version"
        case keyID = "key_id"
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

    /// The file's bytes: the plan's JSON with one more field last, `"mac"`, the HMAC-SHA256 under the
    /// plan key of the exact bytes of that JSON. The MAC is checked on the bytes as read, before they
    /// are decoded, so no canonical form has to be agreed on.
    public func sealed(with seal: PlanSeal) throws -> [UInt8] {
        var plan = self
        plan.keyID = seal.keyID
        let body = try plan.encoded()
        guard let mac = seal.mac(body), body.count > Self.close.count, body.suffix(Self.close.count) == Self.close[...]
        else {
            throw EngineError(
                .invalidInput, "no plan key to seal the saved plan with",
                hint: "set WRTFORM_PLAN_KEY, or let wrtform keep one in its state directory")
        }
        return body.dropLast(Self.close.count) + Array((Self.macOpen + mac + Self.macClose).utf8)
    }

    /// How `encoded()` ends, and what replaces it in the sealed file around the MAC's 64 hex digits.
    private static let close = Array("\n}\n".utf8)
    private static let macOpen = ",\n  \"mac\" : \""
    private static let macClose = "\"\n}\n"

    /// The bytes the MAC in `file` covers, with the MAC; nil when the file does not end as a sealed
    /// plan does. A lost final newline (an editor's) is forgiven; nothing else is.
    static func unsealed(_ file: [UInt8]) -> (body: [UInt8], mac: String)? {
        let file = file.last == UInt8(ascii: "\n") ? file : file + [UInt8(ascii: "\n")]
        let open = Array(macOpen.utf8)
        let end = Array(macClose.utf8)
        let trailer = open.count + 64 + end.count
        guard file.count > trailer else { return nil }
        let tail = Array(file.suffix(trailer))
        guard tail.prefix(open.count) == open[...], tail.suffix(end.count) == end[...] else { return nil }
        let mac = tail.dropFirst(open.count).dropLast(end.count)
        guard
            mac.allSatisfy({
                (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                    || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0)
            })
        else { return nil }
        return (Array(file.dropLast(trailer)) + close, String(decoding: mac, as: UTF8.self))
    }

    /// Whether `bytes` say they are a saved plan (of any format or version): one that `plan --out`
    /// may replace, where any other file is refused.
    public static func isSavedPlan(_ bytes: [UInt8]) -> Bool {
        (try? JSONDecoder().decode(Header.self, from: Data(bytes)))?.kind == kindName
    }

    /// The plan in `bytes` (read from `path`), or one line saying why it cannot be applied: not a
    /// saved plan, one of another format or version, no key to check it with, edited or sealed
    /// with another key (checked on the exact bytes before anything in them is used), damaged.
    public static func decode(_ bytes: [UInt8], path: String, seal: PlanSeal) throws -> SavedPlan {
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
        guard seal.key != nil else {
            throw EngineError(
                .invalidInput, "no plan key on this machine to check the saved plan \(path) with",
                hint: "set WRTFORM_PLAN_KEY to the key it was made with")
        }
        guard let (body, mac) = unsealed(bytes), let expected = seal.mac(body), constantTimeEqual(mac, expected)
        else {
            throw EngineError(
                .invalidInput,
                "\(path): the saved plan was edited or made with another plan key: make the plan again, "
                    + "or set WRTFORM_PLAN_KEY to the key it was made with")
        }
        do {
            return try JSONDecoder().decode(SavedPlan.self, from: Data(body))
        } catch {
            throw EngineError(.invalidInput, "\(path) is a damaged saved plan (\(Self.reason(error)))", hint: remake)
        }
    }

    /// The entry for `host`: the one of that name, else the only one made for `target` (the router
    /// that inventory host names: a plan made with `--host` applied with `--inventory … --limit`),
    /// or, with no host named, the only one there is.
    public func entry(for host: String?, target: String? = nil, path: String) throws -> HostPlan {
        if let host {
            if let entry = hosts.first(where: { $0.host == host }) { return entry }
            let forTarget = hosts.filter { $0.target == target }
            guard forTarget.count == 1, let entry = forTarget.first else {
                throw EngineError(
                    .notFound,
                    "\(path) holds no plan for host \(host)\(target.map { " (\($0))" } ?? "") (it has: "
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

    /// Compares two MACs without stopping at the first difference.
    static func constantTimeEqual(_ first: String, _ second: String) -> Bool {
        let (a, b) = (Array(first.utf8), Array(second.utf8))
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
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
