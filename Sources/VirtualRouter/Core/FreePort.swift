import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Picks a loopback TCP port that is free right now. Another process may take it before we
/// listen; callers retry.
enum FreePort {
    static func pick() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw socketError("socket") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { throw socketError("bind") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw socketError("getsockname") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func socketError(_ call: String) -> VirtualRouterError {
        VirtualRouterError(.socketFailed, "\(call)() for a free loopback port failed: \(String(cString: strerror(errno)))")
    }
}
