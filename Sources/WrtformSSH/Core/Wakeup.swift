import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Interrupts a connection thread that is blocked in `poll()`: Task cancellation handlers run
/// on other threads, and writing to this pipe is the one thing they can safely do.
final class Wakeup: Sendable {
    private struct State {
        var readFD: Int32 = -1
        var writeFD: Int32 = -1
        var signaled = false
    }

    private let state: Mutex<State>

    init() {
        var fds: [Int32] = [-1, -1]
        var state = State()
        if pipe(&fds) == 0 {
            for fd in fds {
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            }
            state.readFD = fds[0]
            state.writeFD = fds[1]
        }
        self.state = Mutex(state)
    }

    deinit {
        close()
    }

    /// The descriptor to poll for reading; -1 if the pipe could not be made (then only the
    /// `isSignaled` flag works, checked at least every poll slice).
    var fd: Int32 { state.withLock { $0.readFD } }

    var isSignaled: Bool { state.withLock { $0.signaled } }

    func signal() {
        state.withLock { state in
            state.signaled = true
            if state.writeFD >= 0 {
                var byte: UInt8 = 1
                _ = write(state.writeFD, &byte, 1)
            }
        }
    }

    /// Clears a signal meant for an earlier operation.
    func reset() {
        state.withLock { state in
            state.signaled = false
            if state.readFD >= 0 {
                var buffer = [UInt8](repeating: 0, count: 64)
                while read(state.readFD, &buffer, buffer.count) > 0 {}
            }
        }
    }

    func close() {
        state.withLock { state in
            if state.readFD >= 0 { _ = Glibc.close(state.readFD) }
            if state.writeFD >= 0 { _ = Glibc.close(state.writeFD) }
            state.readFD = -1
            state.writeFD = -1
        }
    }
}
