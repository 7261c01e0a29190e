/// Ensures a file's content, mode and owner (the DDNS hotplug script, its password file).
/// Not for /etc/config: every file there is loaded as a config package; use uci steps instead.
public struct FileStep: Step {
    public let id: String
    public let location: SourceLocation?
    public let path: String
    public let content: [UInt8]
    public let mode: String
    public let owner: String
    public let writesSecretFile: Bool
    public var kind: StepKind { .file }
    public var files: [String] { [path] }

    public init(_ input: StepInput) throws {
        try input.allowOnly(["path", "content", "template", "mode", "owner", "secret"])
        id = input.id
        location = input.location
        path = try Self.validatePath(try input.requiredString("path"), input: input)
        guard let text = try input.string("content") else {
            throw EngineError(.invalidInput, "file step '\(id)' needs 'content' or 'template'", at: input.location)
        }
        if text.unicodeScalars.contains("\u{0}") { throw input.error("content", "file content cannot contain NUL") }
        content = Array(text.utf8)
        let secret = try input.string("secret").map { ["1", "true", "yes"].contains($0.lowercased()) } ?? false
        writesSecretFile = secret || input.isSecret("content")
        // A secret with no mode named is private: 0644 would let every process on the router read it.
        let mode = try input.string("mode") ?? (writesSecretFile ? "0600" : "0644")
        guard (3...4).contains(mode.utf8.count),
            mode.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "7")).contains($0) })
        else {
            throw input.error("mode", "mode '\(mode)' is not an octal mode like 0644")
        }
        self.mode = mode.utf8.count == 3 ? "0" + mode : mode
        let owner = try input.string("owner") ?? "0:0"
        self.owner = try Self.numericOwner(owner, input: input)
    }

    public func check(_ state: RouterState) throws -> [Change] {
        let current = state.file(path)
        let desired = FileState(content: content, mode: mode, owner: owner)
        if current.content == desired.content && current.mode == desired.mode && current.owner == desired.owner {
            return []
        }
        return [.writeFile(path: path, old: current, new: desired)]
    }

    public var postChecks: [PostCheck] {
        path.hasPrefix("/etc/hotplug.d/") || path.hasSuffix(".sh")
            ? [PostCheck("\(path) parses (sh -n)", command: "sh -n '\(path)'", needsNetifd: false)] : []
    }

    /// The path in normal form (`//etc//x` is `/etc/x`), checked in that form: the checks below
    /// must see what the router's kernel will open.
    static func validatePath(_ typed: String, input: StepInput) throws -> String {
        if typed.utf8.last == UInt8(ascii: "/") {
            throw input.error("path", "path '\(typed)' must be an absolute file path")
        }
        let path: String
        switch RouterPath.normalise(typed) {
        case .success(let normal): path = normal
        case .failure(let problem): throw input.error("path", RouterPath.describe(problem, typed, what: "path"))
        }
        if let problem = fileProblem(path) {
            throw input.error("path", problem, hint: "use uci-section or uci-option steps")
        }
        return path
    }

    /// A whole-file write is never a uci config (a normal-form path): every file in /etc/config is
    /// loaded as one, and only uci edits pass the uci check before they are written.
    static func fileProblem(_ path: String) -> String? {
        path.utf8.starts(with: "/etc/config/".utf8) || path == "/etc/config"
            ? "\(path) is a uci config: every file in /etc/config is loaded as one" : nil
    }

    /// Owners as `chown` takes them, numerically, so they compare with what `ls -ln` reports.
    static func numericOwner(_ owner: String, input: StepInput) throws -> String {
        let parts = owner.split(separator: ":", omittingEmptySubsequences: false).map {
            $0 == "root" ? "0" : String($0)
        }
        guard (1...2).contains(parts.count),
            parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { (48...57).contains($0) } })
        else {
            throw input.error("owner", "owner '\(owner)' must be numeric uid[:gid] or root")
        }
        return parts.count == 1 ? "\(parts[0]):\(parts[0])" : "\(parts[0]):\(parts[1])"
    }
}
