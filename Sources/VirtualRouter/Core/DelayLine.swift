import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One direction of a proxied connection: bytes read from `source` are written to
/// `destination` no earlier than `delay` after they arrived — a fixed one-way latency that
/// does not cap throughput (many chunks can be in flight).
final class DelayLine: @unchecked Sendable {
    // `queue`, `finished` and `cancelled` are guarded by `condition`.
    private let condition = NSCondition()
    private var queue: [(due: ContinuousClock.Instant, bytes: [UInt8])] = []
    private var finished = false
    private var cancelled = false

    private let source: Int32
    private let destination: Int32
    private let delay: Duration

    init(from source: Int32, to destination: Int32, delay: Duration) {
        self.source = source
        self.destination = destination
        self.delay = delay
    }

    /// Starts the reader and writer threads; `done` runs once on each when it ends.
    func start(done: @escaping @Sendable () -> Void) {
        let reader = Thread { [self] in
            readLoop()
            done()
        }
        reader.name = "DelayingProxy.read"
        reader.start()
        let writer = Thread { [self] in
            writeLoop()
            done()
        }
        writer.name = "DelayingProxy.write"
        writer.start()
    }

    /// Drops whatever is queued and wakes the writer (the sockets are shut down by the caller).
    func cancel() {
        condition.lock()
        cancelled = true
        queue.removeAll()
        condition.broadcast()
        condition.unlock()
    }

    private func readLoop() {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(source, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            condition.lock()
            if count > 0 {
                queue.append((ContinuousClock.now + delay, Array(buffer[0..<count])))
            } else {
                finished = true
            }
            condition.broadcast()
            condition.unlock()
            if count <= 0 { return }
        }
    }

    private func writeLoop() {
        while true {
            condition.lock()
            while queue.isEmpty && !finished && !cancelled { condition.wait() }
            if cancelled || (queue.isEmpty && finished) {
                condition.unlock()
                if !cancelled { shutdown(destination, Int32(SHUT_WR)) }
                return
            }
            let (due, bytes) = queue[0]
            let now = ContinuousClock.now
            if due > now {
                let wait = now.duration(to: due)
                let seconds = Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18
                _ = condition.wait(until: Date(timeIntervalSinceNow: seconds))
                condition.unlock()
                continue
            }
            queue.removeFirst()
            condition.unlock()
            if !sendAll(bytes) {
                // The far side is gone: stop reading too, so the connection winds down.
                shutdown(source, Int32(SHUT_RDWR))
                cancel()
                return
            }
        }
    }

    private func sendAll(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { pointer in
                send(destination, pointer.baseAddress, pointer.count, Int32(MSG_NOSIGNAL))
            }
            if sent < 0 && errno == EINTR { continue }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }
}
