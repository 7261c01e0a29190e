import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// One client connection of a `DelayingProxy` and its upstream connection: two delay lines,
/// four threads. The sockets are closed when all four threads are done.
final class ProxyRelay: Sendable {
    let client: Int32
    let upstream: Int32
    private let toUpstream: DelayLine
    private let toClient: DelayLine
    private let runningThreads = Mutex(4)

    init(client: Int32, upstream: Int32, delay: Duration) {
        self.client = client
        self.upstream = upstream
        toUpstream = DelayLine(from: client, to: upstream, delay: delay)
        toClient = DelayLine(from: upstream, to: client, delay: delay)
    }

    /// Starts relaying; `closed` runs once, after both sockets are closed.
    func start(closed: @escaping @Sendable () -> Void) {
        let done: @Sendable () -> Void = { [self] in
            let remaining = runningThreads.withLock { count -> Int in
                count -= 1
                return count
            }
            if remaining == 0 {
                close(client)
                close(upstream)
                closed()
            }
        }
        toUpstream.start(done: done)
        toClient.start(done: done)
    }

    /// Cuts the connection both ways at once, dropping anything still delayed.
    func cut() {
        toUpstream.cancel()
        toClient.cancel()
        shutdown(client, Int32(SHUT_RDWR))
        shutdown(upstream, Int32(SHUT_RDWR))
    }
}
