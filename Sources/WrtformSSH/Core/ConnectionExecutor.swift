import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A serial executor that runs everything on one dedicated thread.
///
/// libssh2 calls block (DNS, poll, the agent socket) and a session must only be used from
/// one thread at a time. Each connection therefore owns such a thread: its blocking work never
/// occupies Swift's cooperative pool, and eight connections make progress on eight threads.
/// The thread ends after `shutdown()` once its queue is empty.
final class ConnectionExecutor: SerialExecutor, @unchecked Sendable {
    // @unchecked: `queue`, `stopping` and `thread` are only touched with `condition` locked.
    private enum Work {
        case job(UnownedJob)
        case closure(@Sendable () -> Void)
    }

    private let condition = NSCondition()
    private var queue: [Work] = []
    private var stopping = false
    private var thread: pthread_t?

    init(name: String) {
        let thread = Thread { [self] in self.runLoop() }
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        add(.job(UnownedJob(job)))
    }

    /// Runs `body` on this executor's thread and returns its result.
    func run<T>(_ body: @escaping @Sendable () throws -> sending T) async throws -> sending T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            add(
                .closure {
                    do {
                        continuation.resume(returning: try body())
                    } catch {
                        continuation.resume(throwing: error)
                    }
                })
        }
    }

    /// Lets the thread end once the queue is drained; later work is still run first.
    func shutdown() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    /// Whether the caller runs on this executor's thread.
    var isCurrentThread: Bool {
        condition.lock()
        let owner = thread
        condition.unlock()
        guard let owner else { return false }
        return pthread_equal(owner, pthread_self()) != 0
    }

    func checkIsolated() {
        precondition(isCurrentThread, "not on the SSH connection's thread")
    }

    private func add(_ work: Work) {
        condition.lock()
        queue.append(work)
        condition.signal()
        condition.unlock()
    }

    private func runLoop() {
        condition.lock()
        thread = pthread_self()
        condition.unlock()
        let executor = asUnownedSerialExecutor()
        while true {
            condition.lock()
            while queue.isEmpty && !stopping {
                condition.wait()
            }
            if queue.isEmpty {
                condition.unlock()
                return
            }
            let batch = queue
            queue.removeAll(keepingCapacity: true)
            condition.unlock()
            for work in batch {
                switch work {
                case .job(let job): job.runSynchronously(on: executor)
                case .closure(let body): body()
                }
            }
        }
    }
}
