import Foundation

/// Decides, right after the key exchange and before any credential is sent, whether the
/// server's host key is the router's.
enum HostKeyVerifier {
    struct Verdict {
        var key: HostKey
        /// The key was unknown and has just been recorded (accept-new).
        var recorded: Bool
    }

    static func verify(_ session: Session, policy: HostKeyPolicy) throws -> Verdict {
        let target = session.target
        guard let (blob, _) = session.hostKeyBlob(), let fingerprint = session.hostKeyFingerprint() else {
            throw SSHError(.handshakeFailed, target, "sent no usable host key; is this an SSH server?")
        }
        let key = HostKey(type: keyTypeName(blob) ?? "unknown-key-type", fingerprint: fingerprint)

        switch policy.rule {
        case .fingerprint(let pinned):
            if normalized(pinned) == normalized(fingerprint) { return Verdict(key: key, recorded: false) }
            throw SSHError(
                .hostKeyChanged, target,
                "offers host key \(key), not the pinned \(pinned) — someone may be intercepting the connection, or the router was reset; refusing. If the key really changed, check it on the router's console and pin the new one",
                hostKey: key)

        case .knownHosts(let path, let acceptNew):
            let file = KnownHostsFile(path: path)
            let name = target.knownHostsName
            switch try file.check(name: name, key: blob, target: target) {
            case .match:
                return Verdict(key: key, recorded: false)
            case .revoked(let line):
                throw SSHError(
                    .hostKeyRevoked, target,
                    "offers host key \(key), which \(file.displayPath):\(line) marks @revoked; refusing. If the router has a new key, check it on the router's console, record it, and connect again",
                    hostKey: key)
            case .mismatch(let lines):
                throw SSHError(
                    .hostKeyChanged, target,
                    "HOST KEY CHANGED (host identification has changed): it offers \(key), but \(Self.describe(lines, in: file)) for \(name) — someone may be intercepting the connection, or the router was reset; refusing. If the change is expected, delete \(lines.count == 1 ? "that line" : "those lines") (or: ssh-keygen -R '\(name)' -f \(file.displayPath)) and connect again",
                    hostKey: key)
            case .notFound:
                if acceptNew {
                    try file.append(name: name, keyType: key.type, blob: blob, target: target)
                    return Verdict(key: key, recorded: true)
                }
                throw SSHError(
                    .hostKeyUnknown, target,
                    "offers host key \(key), which is not in \(file.displayPath); if that is the router's key, connect once with --accept-new-host-key to record it",
                    hostKey: key)
            }
        }
    }

    /// `~/.ssh/known_hosts:3 holds an ssh-rsa key`, or several lines with their key types.
    static func describe(_ lines: [KnownHostsFile.Line], in file: KnownHostsFile) -> String {
        let sameType = Set(lines.map(\.keyType)).count == 1
        if lines.count == 1, let line = lines.first {
            return "\(file.displayPath):\(line.number) holds a different key (\(line.keyType))"
        }
        let numbers = lines.map { sameType ? "\($0.number)" : "\($0.number) (\($0.keyType))" }
        let types = sameType ? " (\(lines[0].keyType))" : ""
        return "\(file.displayPath) lines \(numbers.joined(separator: ", ")) hold other keys\(types)"
    }

    /// The algorithm name a key blob starts with (`string keytype`, RFC 4253 §6.6).
    static func keyTypeName(_ blob: [UInt8]) -> String? {
        guard blob.count >= 4 else { return nil }
        let length = blob[0..<4].reduce(0) { $0 << 8 | Int($1) }
        guard length > 0, length <= 64, blob.count >= 4 + length else { return nil }
        return String(bytes: blob[4..<(4 + length)], encoding: .ascii)
    }

    /// `SHA256:abc=` and `abc` compare equal: OpenSSH prints no padding, other tools do.
    static func normalized(_ fingerprint: String) -> Substring {
        var text = Substring(fingerprint.trimmingCharacters(in: .whitespaces))
        if text.hasPrefix("SHA256:") { text = text.dropFirst("SHA256:".count) }
        while text.hasSuffix("=") { text = text.dropLast() }
        return text
    }
}
