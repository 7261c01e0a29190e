import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Where a router's SSH server listens: a loopback address of its own (127.X.Y.Z; Linux routes all
/// of 127.0.0.0/8 to `lo`) and a port free on it.
///
/// Why an address per router: a router whose SSH server is down (a power-loss test) keeps its
/// endpoint, and nothing else may answer there meanwhile, or a client meets the wrong host key.
/// On 127.0.0.1 any kernel-chosen port (a proxy's listener; on some systems the ephemeral range
/// reaches far down) could land on it. Nothing but this router ever binds its address: addresses
/// are never handed out twice in a process, and start at a random point so two processes (tests
/// and a benchmark) do not meet either.
struct LoopbackEndpoint: Sendable, Equatable {
    let host: String
    let port: Int

    /// 127.16.0.0 and up, clear of 127.0.0.1 and Debian's 127.0.1.1.
    private static let first: UInt32 = 0x10_0000
    private static let last: UInt32 = 0xFE_FFFF
    private static let next = Mutex<UInt32>(UInt32.random(in: first...last))

    /// A fresh address, with a port in 20000–31999 that a listener could bind there now.
    static func pick() throws -> LoopbackEndpoint {
        let host = nextAddress()
        for _ in 0..<50 {
            let port = Int.random(in: 20_000..<32_000)
            if isFree(host: host, port: port) { return LoopbackEndpoint(host: host, port: port) }
        }
        throw VirtualRouterError(
            .socketFailed, "no port in 20000-31999 could be bound on \(host)",
            remedy:
                "check that addresses of 127.0.0.0/8 other than 127.0.0.1 reach `lo` here (ip route show table local)")
    }

    private static func nextAddress() -> String {
        next.withLock { counter -> String in
            while true {
                let value = counter
                counter = value >= last ? first : value + 1
                let lastOctet = value & 0xFF
                if lastOctet != 0 && lastOctet != 0xFF {
                    return "127.\(value >> 16 & 0xFF).\(value >> 8 & 0xFF).\(lastOctet)"
                }
            }
        }
    }

    /// Whether a listener could bind host:port now.
    private static func isFree(host: String, port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return LoopbackSocket.bind(fd, host: host, port: port)
    }
}
