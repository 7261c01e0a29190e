internal import CLibSSH2

/// Process-wide libssh2 state, and what Swift does not import from its header.
enum LibSSH2 {
    /// `libssh2_init` is not thread-safe and must run once before any session: a global
    /// `let` is initialised exactly once, atomically, on first use.
    private static let initResult: Int32 = libssh2_init(0)

    static func ensureInitialized() -> Bool { initResult == 0 }

    /// LIBSSH2_CHANNEL_WINDOW_DEFAULT and LIBSSH2_CHANNEL_PACKET_DEFAULT (not importable).
    static let channelWindow: UInt32 = 2 * 1024 * 1024
    static let channelPacket: UInt32 = 32768

    /// Errors after which the transport is unusable and the session must be dropped.
    static func isTransportError(_ code: Int32) -> Bool {
        switch code {
        case LIBSSH2_ERROR_SOCKET_NONE, LIBSSH2_ERROR_BANNER_RECV, LIBSSH2_ERROR_BANNER_SEND,
            LIBSSH2_ERROR_INVALID_MAC, LIBSSH2_ERROR_KEX_FAILURE, LIBSSH2_ERROR_ALLOC,
            LIBSSH2_ERROR_SOCKET_SEND, LIBSSH2_ERROR_KEY_EXCHANGE_FAILURE, LIBSSH2_ERROR_TIMEOUT,
            LIBSSH2_ERROR_HOSTKEY_INIT, LIBSSH2_ERROR_HOSTKEY_SIGN, LIBSSH2_ERROR_DECRYPT,
            LIBSSH2_ERROR_SOCKET_DISCONNECT, LIBSSH2_ERROR_PROTO, LIBSSH2_ERROR_ZLIB,
            LIBSSH2_ERROR_SOCKET_TIMEOUT, LIBSSH2_ERROR_BAD_USE, LIBSSH2_ERROR_COMPRESS,
            LIBSSH2_ERROR_OUT_OF_BOUNDARY, LIBSSH2_ERROR_SOCKET_RECV, LIBSSH2_ERROR_ENCRYPT,
            LIBSSH2_ERROR_BAD_SOCKET, LIBSSH2_ERROR_RANDGEN:
            return true
        default:
            return false
        }
    }

    /// OpenSSH's host-key algorithm order (ed25519 first), limited to what libssh2 1.10 knows.
    /// libssh2's own order puts ECDSA first, so a router with both keys would present one that
    /// a known_hosts filled by OpenSSH does not hold, and be refused as unknown.
    static let hostKeyPreference = "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,ssh-rsa"
}
