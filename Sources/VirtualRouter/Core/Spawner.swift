import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Starts child processes from one thread that never exits.
///
/// Why: bubblewrap's `--die-with-parent` uses `PR_SET_PDEATHSIG`, which fires when the *thread*
/// that forked the child ends — not the process. Dispatch and Swift concurrency retire idle
/// worker threads, which would kill a sandbox mid-test. This thread lives as long as the process.
final class Spawner: @unchecked Sendable {
    static let shared = Spawner()

    // All mutable state below is guarded by `condition`.
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []

    private init() {
        let thread = Thread { [unowned self] in self.loop() }
        thread.name = "VirtualRouter.Spawner"
        thread.start()
    }

    /// Runs `body` on the spawner thread and returns its result.
    func perform<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T {
        let box = ResultBox<T>()
        condition.lock()
        jobs.append {
            box.set(body())
        }
        condition.signal()
        condition.unlock()
        return box.wait()
    }

    private func loop() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }
}

/// A one-shot hand-over of a value between two threads.
private final class ResultBox<T: Sendable>: @unchecked Sendable {
    // `value` is guarded by `condition`.
    private let condition = NSCondition()
    private var value: T?

    func set(_ newValue: T) {
        condition.lock()
        value = newValue
        condition.signal()
        condition.unlock()
    }

    func wait() -> T {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let value { return value }
            condition.wait()
        }
    }
}
