import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Thin wrappers over the BSD socket calls the delaying proxy and the port picker need.
enum LoopbackSocket {
    /// A listening TCP socket on 127.0.0.1 with a kernel-chosen port.
    static func listen() throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw error("socket") }
        guard bind(fd, host: "127.0.0.1", port: 0), Glibc.listen(fd, 128) == 0 else {
            let failure = error("bind/listen")
            close(fd)
            throw failure
        }
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else {
            let failure = error("getsockname")
            close(fd)
            throw failure
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// Binds `fd` to an IPv4 address and port (0: the kernel's choice); false if it cannot.
    static func bind(_ fd: Int32, host: String, port: Int) -> Bool {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { return false }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        } == 0
    }

    /// A connected TCP socket to host:port (numeric address or name), with Nagle off so the
    /// proxy adds only the delay it was asked for.
    static func connect(host: String, port: Int) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw VirtualRouterError(
                .socketFailed, "cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var entry: UnsafeMutablePointer<addrinfo>? = first
        var lastError = VirtualRouterError(.socketFailed, "no address for \(host):\(port)")
        while let info = entry {
            let fd = socket(
                info.pointee.ai_family, info.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue),
                info.pointee.ai_protocol)
            if fd >= 0 {
                if Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 {
                    noDelay(fd)
                    return fd
                }
                lastError = error("connect to \(host):\(port)")
                close(fd)
            }
            entry = info.pointee.ai_next
        }
        throw lastError
    }

    static func noDelay(_ fd: Int32) {
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    static func error(_ call: String) -> VirtualRouterError {
        VirtualRouterError(.socketFailed, "\(call) failed: \(String(cString: strerror(errno)))")
    }
}
