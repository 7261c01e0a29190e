import Foundation

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

    // Content is stored as base64 text: journals live on a router's small flash, and JSON spells
    // a byte array as one number per element. Journals written with arrays still decode.
    private enum CodingKeys: String, CodingKey { case content, mode, owner }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        mode = try container.decode(String.self, forKey: .mode)
        owner = try container.decode(String.self, forKey: .owner)
        if let text = try? container.decodeIfPresent(String.self, forKey: .content) {
            guard let data = Data(base64Encoded: text) else {
                throw DecodingError.dataCorruptedError(forKey: .content, in: container, debugDescription: "content is not base64")
            }
            content = Array(data)
        } else {
            content = try container.decodeIfPresent([UInt8].self, forKey: .content)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(content.map { Data($0).base64EncodedString() }, forKey: .content)
        try container.encode(mode, forKey: .mode)
        try container.encode(owner, forKey: .owner)
    }
}
