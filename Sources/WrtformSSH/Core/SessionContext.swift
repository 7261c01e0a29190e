internal import CLibSSH2

#if canImport(Glibc)
    import Glibc
#endif

/// What libssh2's C callbacks need, reached through the session's abstract pointer: the
/// password for keyboard-interactive prompts, and whether anything was sent since the last
/// answer (to count round trips). Lives as long as its `Session`, used on its thread only.
final class SessionContext {
    /// Set only while keyboard-interactive authentication runs.
    var password: String?
    /// Something went out since the session last waited for and got an answer.
    var sentSinceAnswer = false

    /// Installs this context and the counting send function on `handle`.
    func install(on handle: OpaquePointer) {
        libssh2_session_abstract(handle)?.pointee = Unmanaged.passUnretained(self).toOpaque()
        let send:
            @convention(c) (Int32, UnsafeRawPointer?, Int, Int32, UnsafeMutablePointer<UnsafeMutableRawPointer?>?) ->
                Int =
                { socket, buffer, length, flags, abstract in
                    // As libssh2's own _libssh2_send: bytes sent, or minus errno.
                    let sent = Glibc.send(socket, buffer, length, flags)
                    if sent < 0 { return -Int(errno) }
                    if sent > 0, let context = abstract?.pointee {
                        Unmanaged<SessionContext>.fromOpaque(context).takeUnretainedValue().sentSinceAnswer = true
                    }
                    return sent
                }
        _ = libssh2_session_callback_set(
            handle, LIBSSH2_CALLBACK_SEND, unsafeBitCast(send, to: UnsafeMutableRawPointer.self))
    }

    static func from(_ abstract: UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> SessionContext? {
        guard let pointer = abstract?.pointee else { return nil }
        return Unmanaged<SessionContext>.fromOpaque(pointer).takeUnretainedValue()
    }
}
