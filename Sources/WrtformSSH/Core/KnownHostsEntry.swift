import Foundation

/// One known_hosts line, split as OpenSSH does: `[@marker] hosts keytype base64 [comment]`,
/// fields separated by blanks. nil for a line that does not parse (OpenSSH skips those too).
struct KnownHostsEntry {
    enum Marker { case revoked, certAuthority }

    var marker: Marker?
    /// The host field: patterns, or one hashed name.
    var hosts: ArraySlice<UInt8>
    var keyType: String
    /// The decoded key.
    var blob: [UInt8]

    init?(_ line: ArraySlice<UInt8>) {
        var fields = line.split(whereSeparator: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") })[...]
        if let first = fields.first, first.first == UInt8(ascii: "@") {
            switch String(decoding: first, as: UTF8.self) {
            case "@revoked": marker = .revoked
            case "@cert-authority": marker = .certAuthority
            default: return nil
            }
            fields = fields.dropFirst()
        }
        guard fields.count >= 3 else { return nil }
        let index = fields.startIndex
        hosts = fields[index]
        keyType = String(decoding: fields[index + 1], as: UTF8.self)
        guard let decoded = Data(base64Encoded: Data(fields[index + 2])), !decoded.isEmpty else { return nil }
        blob = [UInt8](decoded)
    }
}
