import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A TCP proxy on 127.0.0.1 that adds a fixed delay in each direction — a stand-in for a
/// distant router (the test machines have no tc netem) — and can cut every connection at
/// once for fault-injection tests.
public final class DelayingProxy: Sendable {
    /// The proxy's own address and port; connect here instead of the target.
    public let host = "127.0.0.1"
    public let port: Int
    public let targetHost: String
    public let targetPort: Int
    /// Added to every chunk of bytes, each way (a round trip gains twice this).
    public let delay: Duration

    private let listener: Int32
    private let state = Mutex(State())

    private struct State {
        var accepted = 0
        var nextID = 0
        var relays: [Int: ProxyRelay] = [:]
        var stopped = false
    }

    /// Connections accepted since the proxy started.
    public var connectionCount: Int { state.withLock { $0.accepted } }

    /// Connections still open.
    public var activeConnectionCount: Int { state.withLock { $0.relays.count } }

    public init(targetHost: String, targetPort: Int, delay: Duration) throws {
        let (listener, port) = try LoopbackSocket.listen()
        self.listener = listener
        self.port = port
        self.targetHost = targetHost
        self.targetPort = targetPort
        self.delay = delay
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "DelayingProxy.accept"
        thread.start()
    }

    deinit {
        stop()
    }

    /// Cuts every open connection (both sides see the connection close); new ones are still accepted.
    public func cutAll() {
        let relays = state.withLock { Array($0.relays.values) }
        for relay in relays { relay.cut() }
    }

    /// Stops accepting and cuts every connection. Safe to call more than once.
    public func stop() {
        let first = state.withLock { state -> Bool in
            defer { state.stopped = true }
            return !state.stopped
        }
        guard first else { return }
        // Wakes the accept thread, which closes the listener on its way out.
        shutdown(listener, Int32(SHUT_RDWR))
        cutAll()
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                if state.withLock({ $0.stopped }) {
                    close(listener)
                    return
                }
                continue
            }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            LoopbackSocket.noDelay(client)
            relay(client)
        }
    }

    private func relay(_ client: Int32) {
        let upstream: Int32
        do {
            upstream = try LoopbackSocket.connect(host: targetHost, port: targetPort)
        } catch {
            // Target down: the client sees its connection closed, as if the router refused it.
            state.withLock { $0.accepted += 1 }
            close(client)
            return
        }
        let relay = ProxyRelay(client: client, upstream: upstream, delay: delay)
        let (id, stopped) = state.withLock { state -> (Int, Bool) in
            state.accepted += 1
            state.nextID += 1
            state.relays[state.nextID] = relay
            return (state.nextID, state.stopped)
        }
        relay.start { [self] in
            _ = state.withLock { $0.relays.removeValue(forKey: id) }
        }
        if stopped { relay.cut() }
    }
}
