import Foundation

/// A private key file, looked at before handing it to libssh2: whether it is readable and
/// whether it is encrypted, so the passphrase is asked for only when one is needed (and
/// libssh2 1.10 is never given a NULL passphrase for an encrypted key, which crashes it).
struct IdentityFile {
    enum State {
        case plain
        case encrypted
        case unreadable(String)
    }

    /// As given (may start with `~/`).
    let path: String
    var fullPath: String { LocalPath.expand(path) }
    var displayPath: String { LocalPath.abbreviate(path) }

    func inspect() -> State {
        guard FileManager.default.fileExists(atPath: fullPath) else { return .unreadable("no such file") }
        guard let data = FileManager.default.contents(atPath: fullPath) else { return .unreadable("not readable") }
        guard let text = String(data: data, encoding: .utf8) else { return .unreadable("not a private key file") }
        if text.contains("-----BEGIN OPENSSH PRIVATE KEY-----") {
            return Self.openSSHCipher(text).map { $0 == "none" ? .plain : .encrypted }
                ?? .unreadable("damaged OpenSSH key")
        }
        if text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") || text.contains("Proc-Type: 4,ENCRYPTED") {
            return .encrypted
        }
        if text.contains("PRIVATE KEY-----") { return .plain }
        return .unreadable("not a private key file (a .pub file?)")
    }

    /// The cipher an `openssh-key-v1` file is encrypted with (`none` when it is not).
    private static func openSSHCipher(_ text: String) -> String? {
        let lines = text.split(whereSeparator: \.isNewline)
        guard let begin = lines.firstIndex(where: { $0.contains("BEGIN OPENSSH PRIVATE KEY") }),
            let end = lines.firstIndex(where: { $0.contains("END OPENSSH PRIVATE KEY") }), begin < end
        else { return nil }
        let body = lines[(begin + 1)..<end].joined()
        guard let data = Data(base64Encoded: body, options: .ignoreUnknownCharacters) else { return nil }
        let bytes = [UInt8](data)
        let magic = Array("openssh-key-v1\0".utf8)
        guard bytes.count > magic.count + 4, Array(bytes[0..<magic.count]) == magic else { return nil }
        let at = magic.count
        let length = bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) }
        guard length > 0, length < 64, bytes.count >= at + 4 + length else { return nil }
        return String(bytes: bytes[(at + 4)..<(at + 4 + length)], encoding: .ascii)
    }
}
