internal import CLibSSH2

#if canImport(Glibc)
    import Glibc
#endif

/// libssh2's sign callback for one agent key: asks `AgentClient` to sign, within the connect
/// deadline. A failure cannot cross the C callback; it is kept here for the caller to throw.
final class AgentSigner {
    let agent: AgentClient
    let blob: [UInt8]
    var failure: AgentClient.Failure?

    init(agent: AgentClient, blob: [UInt8]) {
        self.agent = agent
        self.blob = blob
    }

    /// `LIBSSH2_USERAUTH_PUBLICKEY_SIGN_FUNC`: the signature in memory from malloc (libssh2
    /// frees it with free), 0 on success, -1 on failure.
    static let sign:
        @convention(c) (
            OpaquePointer?, UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?, UnsafeMutablePointer<Int>?,
            UnsafePointer<UInt8>?, Int, UnsafeMutablePointer<UnsafeMutableRawPointer?>?
        ) -> Int32 = { _, signature, signatureLength, data, dataLength, abstract in
            guard let pointer = abstract?.pointee, let signature, let signatureLength, let data else { return -1 }
            let signer = Unmanaged<AgentSigner>.fromOpaque(pointer).takeUnretainedValue()
            let message = Array(UnsafeBufferPointer(start: data, count: dataLength))
            do throws(AgentClient.Failure) {
                let bytes = try signer.agent.sign(message, with: signer.blob)
                guard let memory = malloc(max(1, bytes.count)) else { return -1 }
                let typed = memory.bindMemory(to: UInt8.self, capacity: max(1, bytes.count))
                typed.initialize(from: bytes, count: bytes.count)
                signature.pointee = typed
                signatureLength.pointee = bytes.count
                return 0
            } catch {
                signer.failure = error
                return -1
            }
        }
}
