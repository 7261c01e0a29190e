import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Shuts the socket down when the connect deadline passes, from another thread.
///
/// Every libssh2 call in the login phase is non-blocking and retried against the deadline, but
/// libssh2 may loop inside one call for as long as a peer keeps feeding it bytes; a shut-down
/// socket makes that call return. The session disarms it before closing the socket, so the
/// descriptor number it holds is never one reused by another connection.
final class SocketWatchdog: Sendable {
    private struct State {
        var socket: Int32
        var fired = false
    }

    private let state: Mutex<State>

    init(socket: Int32, deadline: Deadline) {
        state = Mutex(State(socket: socket))
        // remainingMilliseconds is clamped to Int32: an absurd timeout waits ~24 days, no overflow.
        let delay = DispatchTimeInterval.milliseconds(Int(deadline.remainingMilliseconds))
        DispatchQueue.global().asyncAfter(deadline: .now() + delay) { [weak self] in
            self?.fire()
        }
    }

    /// Whether it shut the socket down.
    var fired: Bool { state.withLock { $0.fired } }

    func disarm() {
        state.withLock { $0.socket = -1 }
    }

    private func fire() {
        state.withLock { state in
            guard state.socket >= 0 else { return }
            _ = shutdown(state.socket, Int32(SHUT_RDWR))
            state.fired = true
            state.socket = -1
        }
    }
}
