#if canImport(Glibc)
    import Glibc
#endif

/// Opens the TCP connection: every address the name resolves to, in order, each within
/// what is left of the connect deadline. The socket stays non-blocking; libssh2 runs on it in
/// non-blocking mode and the session waits with `poll()`.
enum TCPConnector {
    static func connect(to target: SSHTarget, deadline: Deadline, timeout: Duration, wakeup: Wakeup) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_protocol = Int32(IPPROTO_TCP)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(target.host, String(target.port), &hints, &list)
        guard status == 0, let first = list else {
            let reason = String(cString: gai_strerror(status))
            throw SSHError(
                .unreachable, target,
                "is unreachable: cannot resolve '\(target.host)' (\(reason)); check the router's name or use its address"
            )
        }
        defer { freeaddrinfo(list) }

        var failures: [String] = []
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let address = entry {
            entry = address.pointee.ai_next
            if wakeup.isSignaled { throw CancellationError() }
            if deadline.hasPassed { break }
            let fd = socket(
                address.pointee.ai_family,
                Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            if fd < 0 {
                failures.append(String(cString: strerror(errno)))
                continue
            }
            var one: Int32 = 1
            _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            if Glibc.connect(fd, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 {
                return fd
            }
            guard errno == EINPROGRESS else {
                failures.append(String(cString: strerror(errno)))
                _ = close(fd)
                continue
            }
            switch waitConnected(fd, deadline: deadline, wakeup: wakeup) {
            case .connected:
                return fd
            case .failed(let reason):
                failures.append(reason)
                _ = close(fd)
            case .timedOut:
                _ = close(fd)
            case .cancelled:
                _ = close(fd)
                throw CancellationError()
            }
        }
        if let last = failures.last {
            throw SSHError(
                .unreachable, target,
                "is unreachable: \(last.lowercased()); check the address and port, and that dropbear is running")
        }
        throw SSHError(
            .connectTimedOut, target,
            "did not answer within \(timeout.shortDescription); check the address, and that this machine is on the router's network"
        )
    }

    private enum Outcome {
        case connected, timedOut, cancelled
        case failed(String)
    }

    private static func waitConnected(_ fd: Int32, deadline: Deadline, wakeup: Wakeup) -> Outcome {
        while true {
            var fds = [
                pollfd(fd: fd, events: Int16(POLLOUT), revents: 0),
                pollfd(fd: wakeup.fd, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&fds, nfds_t(fds.count), min(deadline.remainingMilliseconds, 250))
            if wakeup.isSignaled { return .cancelled }
            if ready < 0 {
                if errno == EINTR { continue }
                return .failed(String(cString: strerror(errno)))
            }
            if fds[0].revents != 0 {
                var error: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                if getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0 {
                    return .failed(String(cString: strerror(errno)))
                }
                return error == 0 ? .connected : .failed(String(cString: strerror(error)))
            }
            if deadline.hasPassed { return .timedOut }
        }
    }
}
