import Foundation

/// One file on the router as the engine sees it: bytes, mode and owner. An absent file has no content.
/// For a path that is a symbolic link (or lies in a linked directory), the bytes, mode and owner are
/// those of the file it leads to; `kind`, `link` and `realPath` say where that is, so a write goes
/// through the link instead of replacing it.
public struct FileState: Sendable, Hashable, Codable {
    /// What the path itself is: links are reported as such, whatever they point at.
    public enum Kind: String, Sendable, Hashable, Codable {
        case regular, symlink, directory, other, absent
    }

    public var content: [UInt8]?
    /// Octal permission bits as chmod takes them, e.g. "0644".
    public var mode: String
    /// Numeric owner as chown takes it, e.g. "0:0".
    public var owner: String
    /// nil: not read from a router (a state a step made; the path is a plain file or absent).
    public var kind: Kind?
    /// The link's own text, when the path is a symbolic link; for a path led elsewhere by a
    /// linked directory, that directory and its text ("/etc/a -> /tmp/b").
    public var link: String?
    /// Where the path leads once every link (in the path's directories and the path itself) is
    /// followed, when that differs from the path; on `--root`, a path inside the root. nil with
    /// `unresolvable`: a link loop or a link through a missing directory.
    public var realPath: String?
    public var unresolvable = false

    public init(content: [UInt8]?, mode: String = "0644", owner: String = "0:0") {
        self.content = content
        self.mode = mode
        self.owner = owner
    }

    /// The same place with other bytes, mode and owner: a write keeps where the path leads.
    func located(like other: FileState) -> FileState {
        var state = self
        (state.kind, state.link, state.realPath, state.unresolvable) = (
            other.kind, other.link, other.realPath, other.unresolvable
        )
        return state
    }

    /// Where the bytes for `path` are written: through a link to its target.
    public func writePath(for path: String) -> String { realPath ?? path }

    /// Why `path` must not be written, or nil. A link is written through only to a regular file
    /// inside /etc; a path whose directories lead out of /etc, a dangling link, a loop or a
    /// directory is refused (replacing the link would lose it; following it elsewhere would write
    /// where the playbook never said).
    public func refusal(for path: String) -> String? {
        let shown = kind == .symlink ? link.map { " (a link to '\($0)')" } ?? "" : ""
        switch kind {
        case .directory?: return "\(path) is a directory\(shown)"
        case .other?: return "\(path) is not a regular file\(shown)"
        default: break
        }
        if unresolvable { return "\(path)\(shown) cannot be followed (a link loop, or a link to a missing directory)" }
        guard let realPath, realPath != path else { return nil }
        if !realPath.hasPrefix("/etc/") {
            return kind == .symlink
                ? "\(path) is a link to '\(link ?? realPath)', which leads to \(realPath), outside /etc"
                : "\(path) lies in a linked directory\(link.map { " (\($0))" } ?? "") and leads to \(realPath), outside /etc"
        }
        if kind == .symlink && content == nil {
            return "\(path) is a dangling link to '\(link ?? realPath)' (\(realPath) does not exist)"
        }
        return nil
    }

    public static let absent = FileState(content: nil)

    public var exists: Bool { content != nil }

    /// sha256 of the content, or "absent"; what the router's compare-and-swap checks.
    public var hash: String {
        guard let content else { return "absent" }
        return SHA256.hex(content)
    }

    public var text: String { content.map { String(decoding: $0, as: UTF8.self) } ?? "" }

    // Content is stored as base64 text: journals live on a router's small flash, and JSON spells
    // a byte array as one number per element. Journals written with arrays still decode.
    private enum CodingKeys: String, CodingKey {
        case content, mode, owner, kind, link
        case realPath = "real_path"
        case unresolvable
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        mode = try container.decode(String.self, forKey: .mode)
        owner = try container.decode(String.self, forKey: .owner)
        if let text = try? container.decodeIfPresent(String.self, forKey: .content) {
            guard let data = Data(base64Encoded: text) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .content, in: container, debugDescription: "content is not base64")
            }
            content = Array(data)
        } else {
            content = try container.decodeIfPresent([UInt8].self, forKey: .content)
        }
        kind = try container.decodeIfPresent(Kind.self, forKey: .kind)
        link = try container.decodeIfPresent(String.self, forKey: .link)
        realPath = try container.decodeIfPresent(String.self, forKey: .realPath)
        unresolvable = try container.decodeIfPresent(Bool.self, forKey: .unresolvable) ?? false
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(content.map { Data($0).base64EncodedString() }, forKey: .content)
        try container.encode(mode, forKey: .mode)
        try container.encode(owner, forKey: .owner)
        try container.encodeIfPresent(kind, forKey: .kind)
        try container.encodeIfPresent(link, forKey: .link)
        try container.encodeIfPresent(realPath, forKey: .realPath)
        if unresolvable { try container.encode(true, forKey: .unresolvable) }
    }
}
