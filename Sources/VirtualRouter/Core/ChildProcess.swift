import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A child process started with `posix_spawn` in its own process group.
///
/// Why not Foundation's `Process`: we need the process group (to kill everything the sandbox
/// started), a chosen spawning thread (see `Spawner`), and output going straight to a file.
struct ChildProcess: Sendable {
    let pid: pid_t

    /// How a child ended.
    enum Termination: Sendable, Equatable {
        case exited(Int32)
        case signaled(Int32)
    }

    /// Starts `arguments[0]` (looked up in PATH) with stdin from /dev/null and stdout+stderr
    /// appended to `outputFile` (or to `outputFD`).
    static func spawn(_ arguments: [String], outputFile: String? = nil, outputFD: Int32? = nil) throws -> ChildProcess {
        let result: Result<pid_t, VirtualRouterError> = Spawner.shared.perform {
            spawnNow(arguments, outputFile: outputFile, outputFD: outputFD)
        }
        return ChildProcess(pid: try result.get())
    }

    private static func spawnNow(_ arguments: [String], outputFile: String?, outputFD: Int32?) -> Result<
        pid_t, VirtualRouterError
    > {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if let outputFD {
            posix_spawn_file_actions_adddup2(&actions, outputFD, 1)
            posix_spawn_file_actions_adddup2(&actions, outputFD, 2)
        } else {
            let path = outputFile ?? "/dev/null"
            posix_spawn_file_actions_addopen(&actions, 1, path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }

        closeInheritedDescriptors(&actions)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaultSignals = sigset_t()
        sigemptyset(&defaultSignals)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD, SIGQUIT] { sigaddset(&defaultSignals, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
        posix_spawnattr_setpgroup(&attributes, 0)
        let flags = POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        posix_spawnattr_setflags(&attributes, Int16(flags))

        var cArguments: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        cArguments.append(nil)
        defer { for argument in cArguments { free(argument) } }

        var pid: pid_t = 0
        let status = posix_spawnp(&pid, arguments[0], &actions, &attributes, cArguments, environ)
        guard status == 0 else {
            return .failure(
                VirtualRouterError(
                    .toolMissing,
                    "cannot start \(arguments[0]): \(String(cString: strerror(status)))",
                    remedy: "run `bash .ci/setup` to install the virtual router's tools"))
        }
        return .success(pid)
    }

    /// Keeps the child from inheriting our other descriptors (a test's SSH socket held open by
    /// a sandbox would hide the close from the server). glibc ≥ 2.34 has closefrom for spawn;
    /// Swift's Glibc module doesn't export it, so it is looked up at run time.
    private static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32
        if let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") {
            let closeFrom = unsafeBitCast(symbol, to: CloseFrom.self)
            _ = closeFrom(&actions, 3)
            return
        }
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for name in descriptors {
            if let fd = Int32(name), fd > 2 { posix_spawn_file_actions_addclose(&actions, fd) }
        }
    }

    /// Runs a tool to completion and returns its combined output; throws when it fails.
    static func run(_ arguments: [String]) throws -> String {
        let (termination, text) = try runCapturing(arguments)
        guard termination == .exited(0) else {
            throw VirtualRouterError(
                .toolFailed,
                "`\(arguments.joined(separator: " "))` ended with \(termination): \(text.trimmingCharacters(in: .whitespacesAndNewlines))"
            )
        }
        return text
    }

    /// Runs a program to completion and returns how it ended and its combined output.
    static func runCapturing(_ arguments: [String]) throws -> (Termination, String) {
        // Pipe and spawn on the spawner thread, so no other child started by us inherits the
        // write end between pipe() and FD_CLOEXEC (which would keep our read from ending).
        let started: Result<(ChildProcess, Int32, Int32), VirtualRouterError> = Spawner.shared.perform {
            var fds: [Int32] = [0, 0]
            guard pipe(&fds) == 0 else {
                return .failure(
                    VirtualRouterError(.sandboxFailed, "pipe() failed: \(String(cString: strerror(errno)))"))
            }
            _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
            switch spawnNow(arguments, outputFile: nil, outputFD: fds[1]) {
            case .success(let pid): return .success((ChildProcess(pid: pid), fds[0], fds[1]))
            case .failure(let error):
                close(fds[0])
                close(fds[1])
                return .failure(error)
            }
        }
        let (child, readEnd, writeEnd) = try started.get()
        let fds = [readEnd, writeEnd]
        close(fds[1])
        var output = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(fds[0], &buffer, buffer.count)
            if count > 0 {
                output.append(contentsOf: buffer[0..<count])
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                break
            }
        }
        close(fds[0])
        return (child.waitForExit(), String(decoding: output, as: UTF8.self))
    }

    /// Returns how the child ended, or nil while it still runs. Reaps it.
    func poll() -> Termination? {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        if result == pid { return Self.decode(status) }
        if result < 0 && errno == ECHILD { return .exited(-1) }
        return nil
    }

    /// Blocks until the child ends. Reaps it.
    func waitForExit() -> Termination {
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, 0)
            if result == pid { return Self.decode(status) }
            if result < 0 && errno == EINTR { continue }
            return .exited(-1)
        }
    }

    /// Kills the child's whole process group, then the child itself, and reaps it.
    func kill() {
        _ = Glibc.kill(-pid, SIGKILL)
        _ = Glibc.kill(pid, SIGKILL)
        _ = waitForExit()
    }

    private static func decode(_ status: Int32) -> Termination {
        let signal = status & 0x7f
        if signal == 0 { return .exited((status >> 8) & 0xff) }
        return .signaled(signal)
    }
}
