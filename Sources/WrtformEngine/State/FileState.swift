/// One file on the router as the engine sees it: bytes, mode and owner. An absent file has no content.
public struct FileState: Sendable, Hashable, Codable {
    public var content: [UInt8]?
    /// Octal permission bits as chmod takes them, e.g. "0644".
    public var mode: String
    /// Numeric owner as chown takes it, e.g. "0:0".
    public var owner: String

    public init(content: [UInt8]?, mode: String = "0644", owner: String = "0:0") {
        self.content = content
        self.mode = mode
        self.owner = owner
    }

    public static let absent = FileState(content: nil)

    public var exists: Bool { content != nil }

    /// sha256 of the content, or "absent"; what the router's compare-and-swap checks.
    public var hash: String {
        guard let content else { return "absent" }
        return SHA256.hex(content)
    }

    public var text: String { content.map { String(decoding: $0, as: UTF8.self) } ?? "" }
}
