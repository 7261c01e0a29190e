/// How a saved plan pins a file's bytes without giving away a secret in them.
///
/// A file with no secret in it is pinned by its sha256 (`sha256:HEX`), which anyone may check. A
/// file that holds a secret (a password option, a secret file, a value of a playbook secret) is
/// pinned by an HMAC-SHA256 under a key kept off the plan (`hmac:HEX`): a plain hash of such bytes
/// would let anyone holding the plan test guesses of the secret offline. `absent` pins an absent
/// file.
public struct PlanSeal: Sendable {
    /// The HMAC key: 32 random bytes on this machine, or `WRTFORM_PLAN_KEY`.
    public var key: [UInt8]?

    public init(key: [UInt8]?) {
        self.key = key
    }

    /// Names the key without revealing it (a hash of 256 random bits gives nothing to guess at).
    public var keyID: String? { key.map { String(SHA256.hex(Array("wrtform plan key id\0".utf8) + $0).prefix(16)) } }

    /// The seal of `state`: `absent`, `sha256:…`, or `hmac:…` when `secret`.
    public func seal(_ state: FileState, secret: Bool) throws -> String {
        guard let content = state.content else { return "absent" }
        guard secret else { return "sha256:" + SHA256.hex(content) }
        guard let key else {
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

    /// HMAC-SHA256 (RFC 2104).
    static func hmac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        let block = 64
        var key = key.count > block ? SHA256.digest(key) : key
        key += [UInt8](repeating: 0, count: block - key.count)
        let inner = SHA256.digest(key.map { $0 ^ 0x36 } + message)
        return SHA256.digest(key.map { $0 ^ 0x5c } + inner)
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0f)]] }, as: UTF8.self)
    }
}
