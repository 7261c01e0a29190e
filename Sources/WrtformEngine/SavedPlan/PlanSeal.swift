import Foundation

/// How a saved plan pins a file's bytes without giving away a secret in them, and how the plan
/// file itself is authenticated.
///
/// A file with no secret in it is pinned by its sha256 (`sha256:HEX`), which anyone may check. A
/// file that holds a secret (a password option, a secret file, a value of a playbook secret) is
/// pinned by an HMAC-SHA256 under a key kept off the plan (`hmac:HEX`): a plain hash of such bytes
/// would let anyone holding the plan test guesses of the secret offline. `absent` pins an absent
/// file. The whole plan file carries a MAC under the same key (see `SavedPlan.sealed(with:)`), so
/// that nobody without the key can change what apply does.
public struct PlanSeal: Sendable {
    /// The plan key: 32 random bytes on this machine, or `WRTFORM_PLAN_KEY`.
    public var key: [UInt8]?

    public init(key: [UInt8]?) {
        self.key = key
    }

    /// Names the key without helping anyone guess it: an HMAC under the key, never a plain hash.
    public var keyID: String? {
        key.map { String(Self.hex(Self.hmac(key: $0, message: Array("wrtform key id".utf8))).prefix(16)) }
    }

    /// Each use of the key gets its own key derived from it, so that no seal of a router's file can
    /// ever stand for the plan file's MAC (or the reverse).
    func derived(_ label: String) -> [UInt8]? {
        key.map { Self.hmac(key: $0, message: Array("wrtform \(label)\0".utf8)) }
    }

    /// The seal of `state`: `absent`, `sha256:…`, or `hmac:…` when `secret`.
    public func seal(_ state: FileState, secret: Bool) throws -> String {
        guard let content = state.content else { return "absent" }
        guard secret else { return "sha256:" + SHA256.hex(content) }
        guard let key = derived("file seal") else {
            throw EngineError(
                .invalidInput, "no key to seal a file holding a secret",
                hint: "set WRTFORM_PLAN_KEY, or let wrtform keep one in its state directory")
        }
        return "hmac:" + Self.hex(Self.hmac(key: key, message: content))
    }

    /// Whether `state` has the bytes `seal` was made of, sealed the same way.
    public func matches(_ seal: String, _ state: FileState) throws -> Bool {
        try self.seal(state, secret: seal.hasPrefix("hmac:")) == seal
    }

    /// The MAC of a saved plan's bytes (hex), or nil without a key.
    func mac(_ bytes: [UInt8]) -> String? {
        derived("saved plan mac").map { Self.hex(Self.hmac(key: $0, message: bytes)) }
    }

    /// The key in `text` (WRTFORM_PLAN_KEY, the key file), or nil when it is not a strong key: 64 hex
    /// digits (32 bytes), or base64 of 32 or more bytes; and not a run of a few byte values repeated
    /// (`0000…`, `abab…`), which no random generator gives. A key shorter or made by hand could be
    /// guessed offline from the MAC of any plan.
    public static func key(parsing text: String) -> [UInt8]? {
        let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let bytes: [UInt8]
        if let hex = Self.bytes(hex: text), hex.count == 32 {
            bytes = hex
        } else if let data = Data(base64Encoded: text), data.count >= 32 {
            bytes = Array(data)
        } else {
            return nil
        }
        return Set(bytes).count >= 16 ? bytes : nil
    }

    /// The bytes of exactly 64 hex digits, else nil.
    static func bytes(hex text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count == 64 else { return nil }
        func value(_ digit: UInt8) -> UInt8? {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return digit - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = value(digits[index]), let low = value(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    /// HMAC-SHA256 (RFC 2104).
    static func hmac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        let block = 64
        var key = key.count > block ? SHA256.digest(key) : key
        key += [UInt8](repeating: 0, count: block - key.count)
        let inner = SHA256.digest(key.map { $0 ^ 0x36 } + message)
        return SHA256.digest(key.map { $0 ^ 0x5c } + inner)
    }

    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0f)]] }, as: UTF8.self)
    }
}
