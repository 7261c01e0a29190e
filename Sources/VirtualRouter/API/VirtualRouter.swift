import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A virtual OpenWrt 24.10 router for tests: Debian's dropbear and a static busybox in a
/// bubblewrap sandbox, listening on a loopback address of its own (127.X.Y.Z), with /etc copied
/// from a fixture.
///
/// Service reloads are recorded instead of performed, and every command root's shell is asked
/// to run is logged, so tests can assert what wrtform did to the router — and that it did nothing.
/// Call `stop()` (or use `withVirtualRouter`); `deinit` stops it too.
public final class VirtualRouter: Sendable {
    /// How to set the router up.
    public struct Options: Sendable {
        /// A directory name under Fixtures/routers/.
        public var fixture: String = "openwrt-24.10"
        /// root's password (password authentication is enabled, as on a stock router).
        public var rootPassword: String = "wrtform-test"
        /// Small RAM disks over paths of the router (path → size in bytes), so a test can fill
        /// them up ("no space left on device"). What is written there lives in the running sandbox
        /// only: read it with `runInSandbox`; a restart after `killSSHServer()` starts them empty.
        public var tmpfs: [String: Int] = [:]
        /// A package manager with a local feed (nil: none, as before).
        public var packageManager: PackageManagerKind?

        public init() {}

        public init(fixture: String, rootPassword: String = "wrtform-test", tmpfs: [String: Int] = [:]) {
            self.fixture = fixture
            self.rootPassword = rootPassword
            self.tmpfs = tmpfs
        }
    }

    /// A loopback address no other router of this process is given (127.X.Y.Z): the SSH
    /// server shares the host's network, and while it is down nothing else can answer here.
    public let host: String
    public let port: Int
    /// `[HOST]:PORT ssh-ed25519 …` for the host key the router started with.
    public let knownHostsFile: String
    /// An OpenSSH-format ed25519 private key (no passphrase) authorized for root.
    public let clientKeyFile: String
    public let rootPassword: String
    /// The sandbox's `/` on the host: tests read and edit the router's files through it.
    public let root: URL
    /// Where the recording stand-ins write (command log, service calls, syslog, behaviors).
    public let recordDirectory: URL
    /// Everything this router keeps on the host; removed by `stop()`.
    public let stateDirectory: URL
    /// Where `recordDirectory` is mounted inside the router: scripts a test gives the router
    /// (behaviors) can leave marks there for the test to see, or wait for files it puts there.
    public let recordMount = RouterScripts.recordMount

    private let tools: HostTools
    private let tree: RouterTree
    private let tmpfs: [String: Int]
    private let state: Mutex<State>

    private struct State {
        var server: ChildProcess?
        var fingerprint: String
        var stopped = false
    }

    static let hostKeyPath = "etc/dropbear/dropbear_ed25519_host_key"
    static let pidFilePath = "tmp/run/dropbear.pid"

    private var endpoint: LoopbackEndpoint { LoopbackEndpoint(host: host, port: port) }

    /// The current host key's fingerprint as OpenSSH prints it (`SHA256:…`, no padding).
    public var hostKeyFingerprint: String { state.withLock { $0.fingerprint } }

    /// Whether the SSH server is up (false after `killSSHServer()`, or when a behavior script
    /// killed dropbear — the router itself may still run then: see `isRunning`).
    public var isSSHServerRunning: Bool {
        guard let server = liveServer() else { return false }
        return SandboxProcesses.isDropbearRunning(inSandboxOf: server.pid)
    }

    /// Whether the router (the sandbox and what runs in it) is up, with or without its SSH server.
    public var isRunning: Bool { liveServer() != nil }

    private init(
        endpoint: LoopbackEndpoint, knownHostsFile: String, clientKeyFile: String, rootPassword: String,
        stateDirectory: URL,
        tools: HostTools, tree: RouterTree, tmpfs: [String: Int], server: ChildProcess, fingerprint: String
    ) {
        self.host = endpoint.host
        self.port = endpoint.port
        self.knownHostsFile = knownHostsFile
        self.clientKeyFile = clientKeyFile
        self.rootPassword = rootPassword
        self.root = tree.root
        self.recordDirectory = tree.record
        self.stateDirectory = stateDirectory
        self.tools = tools
        self.tree = tree
        self.tmpfs = tmpfs
        self.state = Mutex(State(server: server, fingerprint: fingerprint))
    }

    deinit {
        stop()
    }

    /// Builds the router's filesystem, makes its keys, and starts its SSH server on a loopback endpoint of its own.
    public static func start(_ options: Options = Options()) async throws -> VirtualRouter {
        let tools = try HostTools.locate()
        let fixture = try FixtureLocator.fixture(named: options.fixture)
        let stateDirectory = try makeStateDirectory()
        var server: ChildProcess?
        do {
            let hash = try ChildProcess.run([tools.busybox, "mkpasswd", "-m", "sha512", options.rootPassword])
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let tree = try RouterTree.build(
                in: stateDirectory, fixture: fixture, tools: tools, rootPasswordHash: hash,
                packageManager: options.packageManager)

            let keys = stateDirectory.appendingPathComponent("keys", isDirectory: true)
            try FileManager.default.createDirectory(
                at: keys, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let clientKey = keys.appendingPathComponent("id_ed25519").path
            _ = try ChildProcess.run([
                tools.sshKeygen, "-q", "-t", "ed25519", "-N", "", "-C", "wrtform-test@virtual-router", "-f", clientKey,
            ])
            let clientPublicKey = try String(contentsOfFile: clientKey + ".pub", encoding: .utf8)
            try tree.write("etc/dropbear/authorized_keys", clientPublicKey, mode: 0o600)

            let hostKey = try makeHostKey(tools: tools, tree: tree)
            let (child, endpoint) = try await launchOnFreeEndpoint(
                tools: tools, tree: tree, tmpfs: options.tmpfs, stateDirectory: stateDirectory)
            server = child

            let knownHosts = keys.appendingPathComponent("known_hosts").path
            try Data("[\(endpoint.host)]:\(endpoint.port) \(hostKey.publicKey)\n".utf8)
                .write(to: URL(fileURLWithPath: knownHosts))

            return VirtualRouter(
                endpoint: endpoint, knownHostsFile: knownHosts, clientKeyFile: clientKey,
                rootPassword: options.rootPassword,
                stateDirectory: stateDirectory, tools: tools, tree: tree, tmpfs: options.tmpfs, server: child,
                fingerprint: hostKey.fingerprint)
        } catch {
            server?.kill()
            try? FileManager.default.removeItem(at: stateDirectory)
            throw error
        }
    }

    /// Stops the SSH server and everything running in the sandbox, and removes the state
    /// directory. Safe to call more than once.
    public func stop() {
        let (first, server) = state.withLock { state -> (Bool, ChildProcess?) in
            let first = !state.stopped
            state.stopped = true
            let server = state.server
            state.server = nil
            return (first, server)
        }
        server?.kill()
        if first {
            try? FileManager.default.removeItem(at: stateDirectory)
        }
    }

    /// Kills the SSH server and every process in the sandbox (open sessions drop at once),
    /// like a router that went away. `restartSSHServer()` brings it back.
    public func killSSHServer() throws {
        let server = try state.withLock { state -> ChildProcess? in
            guard !state.stopped else { throw Self.stoppedError("killSSHServer") }
            let server = state.server
            state.server = nil
            return server
        }
        server?.kill()
    }

    /// Starts the SSH server again on the same address and port with the same host key. After a behavior
    /// script killed dropbear, only dropbear starts again: everything else still running in the
    /// router (a watchdog, a hung reload) keeps running, as on a real router. After
    /// `killSSHServer()` (or while dropbear runs) the whole router starts afresh.
    public func restartSSHServer() async throws {
        if let server = liveServer(), !SandboxProcesses.isDropbearRunning(inSandboxOf: server.pid) {
            try await respawnDropbear()
            return
        }
        try killSSHServer()
        let child = try await Self.relaunch(
            tools: tools, tree: tree, tmpfs: tmpfs, stateDirectory: stateDirectory, endpoint: endpoint)
        try adopt(child)
    }

    /// Restarts the SSH server with a NEW host key on the same address and port; `knownHostsFile` keeps the
    /// old one, so a client checking it must refuse to connect.
    public func replaceHostKey() async throws {
        try killSSHServer()
        try FileManager.default.removeItem(at: tree.url(Self.hostKeyPath))
        let hostKey = try Self.makeHostKey(tools: tools, tree: tree)
        state.withLock { $0.fingerprint = hostKey.fingerprint }
        let child = try await Self.relaunch(
            tools: tools, tree: tree, tmpfs: tmpfs, stateDirectory: stateDirectory, endpoint: endpoint)
        try adopt(child)
    }

    /// Makes a stubbed service (`network`, `firewall`, `reload_config`) behave as given from
    /// its next call on.
    public func setServiceBehavior(_ behavior: ServiceBehavior, for service: String) throws {
        guard RouterScripts.stubbedServices.contains(where: { $0.service == service }) else {
            throw VirtualRouterError(
                .badRecord, "'\(service)' is not a stubbed service",
                remedy: "use one of: \(RouterScripts.stubbedServices.map(\.service).joined(separator: ", "))")
        }
        let file =
            recordDirectory
            .appendingPathComponent(RouterScripts.behaviorDirectoryName)
            .appendingPathComponent(service)
        if let script = RouterScripts.behaviorScript(behavior) {
            try Data(script.utf8).write(to: file, options: .atomic)
        } else if FileManager.default.fileExists(atPath: file.path) {
            try FileManager.default.removeItem(at: file)
        }
    }

    /// Makes a busybox applet of the router (`mv`, `sync`, `sha256sum`, …) behave as given from
    /// its next call on, for fault injection: `.run(script)` sources the script (which may pause,
    /// count calls or `exit N`) and then runs the applet; `.fail(N)` exits N without running it;
    /// `.hang` never returns; `.succeed` puts the plain applet back. Builtins of ash (echo,
    /// printf, test, kill) cannot be wrapped.
    public func setAppletBehavior(_ behavior: ServiceBehavior, for applet: String) throws {
        guard BusyboxApplets.openWrt.contains(applet), let path = tools.appletPaths[applet] else {
            throw VirtualRouterError(
                .badRecord, "'\(applet)' is not a busybox applet of the router",
                remedy: "use one of: \(BusyboxApplets.openWrt.sorted().joined(separator: ", "))")
        }
        let file =
            recordDirectory
            .appendingPathComponent(RouterScripts.behaviorDirectoryName)
            .appendingPathComponent(RouterScripts.appletBehaviorName(applet))
        if let script = RouterScripts.behaviorScript(behavior) {
            try Data(script.utf8).write(to: file, options: .atomic)
            try tree.replaceApplet(path, with: RouterScripts.appletWrapper(applet))
        } else {
            try tree.replaceApplet(path, with: nil)
            if FileManager.default.fileExists(atPath: file.path) { try FileManager.default.removeItem(at: file) }
        }
    }

    /// Every call of a stubbed service so far, oldest first.
    public func serviceCalls() throws -> [ServiceCall] {
        try RecordParser.serviceCalls(readRecord(RouterScripts.serviceLogName))
    }

    /// Every command root's shell was asked to run (`ash -c COMMAND`) so far, oldest first.
    public func commandLog() throws -> [String] {
        RecordParser.commands(try readRecord(RouterScripts.commandLogName))
    }

    /// Lines written with `logger` on the router, in logread's format.
    public func logMessages() throws -> [String] {
        let text = String(decoding: try readRecord(RouterScripts.syslogName), as: UTF8.self)
        return text.split(separator: "\n").map(String.init)
    }

    /// Runs an ash script inside the router without SSH, for test setup and checks: inside the
    /// running sandbox (it sees and can kill the SSH server and its sessions), or, while the SSH
    /// server is down, in a fresh sandbox over the same files. Not recorded in `commandLog()`
    /// unless the script itself runs `/bin/ash -c`.
    public func runInSandbox(_ script: String) throws -> SandboxRun {
        let shell = [
            "/bin/busybox", "env", "-i", "PATH=\(SandboxCommand.path)", "HOME=/root", "/bin/busybox", "ash", "-c",
            script,
        ]
        let server = state.withLock { $0.server }
        let arguments: [String]
        if let server, server.poll() == nil, let initPID = SandboxProcesses.child(of: server.pid) {
            arguments =
                [
                    tools.nsenter, "--target", String(initPID), "--mount", "--pid", "--uts", "--ipc", "--root", "--wd",
                    "--",
                ]
                + shell
        } else {
            arguments = SandboxCommand.arguments(tools: tools, tree: tree, tmpfs: tmpfs, command: shell)
        }
        // Output goes to a file, not a pipe: a process the script leaves running in the router
        // (a hanging stub in the background) would hold a pipe open and block us forever.
        let outputFile = stateDirectory.appendingPathComponent("run-\(UUID().uuidString).out")
        defer { try? FileManager.default.removeItem(at: outputFile) }
        let termination = try ChildProcess.spawn(arguments, outputFile: outputFile.path).waitForExit()
        let output = (try? String(contentsOf: outputFile, encoding: .utf8)) ?? ""
        switch termination {
        case .exited(let code): return SandboxRun(exitCode: code, output: output)
        case .signaled(let signal): return SandboxRun(exitCode: 128 + signal, output: output)
        }
    }

    // MARK: - Machinery

    /// The sandbox's outer bwrap while the router runs (with or without dropbear).
    private func liveServer() -> ChildProcess? {
        state.withLock { state in
            guard let server = state.server else { return nil }
            if server.poll() != nil {
                state.server = nil
                return nil
            }
            return server
        }
    }

    /// Asks the sandbox's init for dropbear again and waits until it listens (see `SandboxInit`).
    private func respawnDropbear() async throws {
        let pidFile = tree.url(Self.pidFilePath)
        let wanted = recordDirectory.appendingPathComponent(SandboxInit.wantedFileName)
        let log = stateDirectory.appendingPathComponent("dropbear.log")
        for _ in 0..<50 {
            try? FileManager.default.removeItem(at: pidFile)
            let logStart = (try? FileManager.default.attributesOfItem(atPath: log.path)[.size] as? Int) ?? 0
            try Data(UUID().uuidString.utf8).write(to: wanted, options: .atomic)
            let deadline = ContinuousClock.now + .seconds(20)
            while true {
                guard liveServer() != nil else { throw Self.stoppedError("restart the SSH server: the router stopped") }
                if let pid = try? String(contentsOf: pidFile, encoding: .utf8), !pid.isEmpty { return }
                if Self.newLogText(log, from: logStart).contains("Address already in use") { break }
                if ContinuousClock.now > deadline {
                    throw VirtualRouterError(
                        .sandboxFailed,
                        "the SSH server did not listen again within 20 s: \(Self.newLogText(log, from: logStart))")
                }
                try await Task.sleep(for: .milliseconds(5))
            }
            // The port is still taken for a moment (a session of the old server): ask again.
            try await Task.sleep(for: .milliseconds(100))
        }
        throw VirtualRouterError(
            .sandboxFailed, "\(endpoint.host):\(endpoint.port) stayed taken: the SSH server could not restart on it",
            remedy: "check what is listening there (ss -ltnp)")
    }

    private func adopt(_ child: ChildProcess) throws {
        let adopted = state.withLock { state -> Bool in
            guard !state.stopped else { return false }
            state.server = child
            return true
        }
        if !adopted {
            child.kill()
            throw Self.stoppedError("restart the SSH server")
        }
    }

    private func readRecord(_ name: String) throws -> Data {
        let file = recordDirectory.appendingPathComponent(name)
        do {
            return try Data(contentsOf: file)
        } catch {
            throw VirtualRouterError(
                .badRecord, "cannot read \(file.path): \(error)",
                remedy: "was the router stopped? read records before stop()")
        }
    }

    private static func stoppedError(_ action: String) -> VirtualRouterError {
        VirtualRouterError(.stopped, "cannot \(action): the router was stopped", remedy: "start a new one")
    }

    static let stateDirectoryPrefix = "wrtform-router."
    static let ownerFileName = "owner.pid"

    private static func makeStateDirectory() throws -> URL {
        let base = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        removeAbandonedStateDirectories(in: base)
        var template = Array((base + "/" + stateDirectoryPrefix + "XXXXXX").utf8CString)
        guard
            let made = template.withUnsafeMutableBufferPointer({ buffer in
                buffer.baseAddress.flatMap { mkdtemp($0) }
            })
        else {
            throw VirtualRouterError(
                .sandboxFailed, "cannot create a state directory under \(base): \(String(cString: strerror(errno)))")
        }
        let directory = URL(fileURLWithPath: String(cString: made), isDirectory: true)
        try Data("\(getpid())\n".utf8).write(to: directory.appendingPathComponent(ownerFileName))
        return directory
    }

    /// A test process killed outright (SIGKILL, a crash) takes its sandboxes with it (bwrap
    /// --die-with-parent) but cannot remove its state directories; the next start does, for
    /// every one whose owner process is gone.
    private static func removeAbandonedStateDirectories(in base: String) {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []
        for entry in entries where entry.hasPrefix(stateDirectoryPrefix) {
            let directory = base + "/" + entry
            guard let text = try? String(contentsOfFile: directory + "/" + ownerFileName, encoding: .utf8),
                let owner = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines))
            else { continue }
            if kill(owner, 0) != 0 && errno == ESRCH {
                try? FileManager.default.removeItem(atPath: directory)
            }
        }
    }

    private static func makeHostKey(tools: HostTools, tree: RouterTree) throws -> (
        publicKey: String, fingerprint: String
    ) {
        let keyFile = tree.url(hostKeyPath).path
        let output = try ChildProcess.run([tools.dropbearkey, "-t", "ed25519", "-f", keyFile])
        var publicKey: String?
        var fingerprint: String?
        for line in output.split(separator: "\n") {
            let words = line.split(separator: " ")
            if words.count >= 2, words[0] == "ssh-ed25519" {
                publicKey = "ssh-ed25519 \(words[1])"
            } else if line.hasPrefix("Fingerprint:"), let last = words.last, last.hasPrefix("SHA256:") {
                fingerprint = String(last)
            }
        }
        guard let publicKey, let fingerprint else {
            throw VirtualRouterError(.toolFailed, "dropbearkey printed no public key or SHA256 fingerprint: \(output)")
        }
        return (publicKey, fingerprint)
    }

    /// Starts dropbear on a fresh loopback endpoint, retrying when another process takes it first.
    private static func launchOnFreeEndpoint(
        tools: HostTools, tree: RouterTree, tmpfs: [String: Int], stateDirectory: URL
    ) async throws -> (ChildProcess, LoopbackEndpoint) {
        for _ in 0..<20 {
            let endpoint = try LoopbackEndpoint.pick()
            if let child = try await launch(
                tools: tools, tree: tree, tmpfs: tmpfs, stateDirectory: stateDirectory, endpoint: endpoint)
            {
                return (child, endpoint)
            }
        }
        throw VirtualRouterError(
            .sandboxFailed, "no free loopback endpoint for the SSH server after 20 tries",
            remedy: "check what is listening on 127.0.0.0/8 (ss -ltnp)")
    }

    /// Starts dropbear on `endpoint` again, waiting a little if it is briefly taken.
    private static func relaunch(
        tools: HostTools, tree: RouterTree, tmpfs: [String: Int], stateDirectory: URL, endpoint: LoopbackEndpoint
    ) async throws -> ChildProcess {
        for _ in 0..<50 {
            if let child = try await launch(
                tools: tools, tree: tree, tmpfs: tmpfs, stateDirectory: stateDirectory, endpoint: endpoint)
            {
                return child
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw VirtualRouterError(
            .sandboxFailed, "\(endpoint.host):\(endpoint.port) stayed taken: the SSH server could not restart on it",
            remedy: "check what is listening there (ss -ltnp)")
    }

    /// Starts the sandbox (its init, which starts dropbear listening on `endpoint`). Returns nil
    /// when the endpoint is taken. Ready means dropbear wrote its pid file, which it does only after
    /// it listens.
    private static func launch(
        tools: HostTools, tree: RouterTree, tmpfs: [String: Int], stateDirectory: URL, endpoint: LoopbackEndpoint
    ) async throws -> ChildProcess? {
        let pidFile = tree.url(pidFilePath)
        try? FileManager.default.removeItem(at: pidFile)
        let log = stateDirectory.appendingPathComponent("dropbear.log")
        let logStart = (try? FileManager.default.attributesOfItem(atPath: log.path)[.size] as? Int) ?? 0
        let command = SandboxInit.command(
            endpoint: endpoint, hostKeyPath: "/" + hostKeyPath, pidFile: "/var/run/dropbear.pid")
        let child = try ChildProcess.spawn(
            SandboxCommand.arguments(tools: tools, tree: tree, tmpfs: tmpfs, command: command), outputFile: log.path)
        let deadline = ContinuousClock.now + .seconds(20)
        do {
            while true {
                if let termination = child.poll() {
                    throw VirtualRouterError(
                        .sandboxFailed,
                        "the sandbox ended (\(termination)) before its SSH server listened: \(newLogText(log, from: logStart))",
                        remedy: "check bubblewrap works here (`bwrap --ro-bind / / true`)")
                }
                if let pid = try? String(contentsOf: pidFile, encoding: .utf8), !pid.isEmpty {
                    return child
                }
                // dropbear could not listen; the init waits for another try: end this sandbox.
                if newLogText(log, from: logStart).contains("Address already in use") {
                    child.kill()
                    return nil
                }
                if ContinuousClock.now > deadline {
                    throw VirtualRouterError(
                        .sandboxFailed,
                        "the sandboxed SSH server did not listen within 20 s: \(newLogText(log, from: logStart))")
                }
                try await Task.sleep(for: .milliseconds(5))
            }
        } catch {
            child.kill()
            throw error
        }
    }

    private static func newLogText(_ log: URL, from offset: Int) -> String {
        guard let data = try? Data(contentsOf: log), data.count > offset else { return "" }
        return String(decoding: data[offset...], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
