import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Picks a loopback TCP port that is free right now. Another process may take it before we
/// listen; callers retry.
///
/// Ports come from 20000-31999, below Linux's ephemeral range (32768+), and are never handed out
/// twice in one process: a router whose SSH server was stopped keeps its port, so another router
/// starting meanwhile must not be given it (a client would then meet the wrong host key).
enum FreePort {
    private final class Counter: @unchecked Sendable {
        let lock = NSLock()
        var next = 20_000 + Int.random(in: 0..<12_000)
    }

    private static let counter = Counter()

    static func pick() throws -> Int {
        for _ in 0..<200 {
            let candidate: Int = counter.lock.withLock {
                let port = counter.next
                counter.next = port + 1 >= 32_000 ? 20_000 : port + 1
                return port
            }
            if isFree(candidate) { return candidate }
        }
        return try kernelPick()
    }

    /// Whether a listener could bind the port on 127.0.0.1 now.
    private static func isFree(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        } == 0
    }

    /// The kernel's choice, when the range above is exhausted.
    private static func kernelPick() throws -> Int {
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
