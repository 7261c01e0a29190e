import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs the rendered 40-pppoe hook as netifd would, inside a network namespace of its own: a veth
/// end named pppoe-wanppp carries the PPPoE address, and a fake Value Domain endpoint listens on
/// the namespace's 127.0.0.1. Nothing the hook sends can leave the namespace.
final class DDNSHookHarness {
    struct Config: Sendable {
        var hosts = "@ www"
        var interval = 2
        var retries = 2
        var wget = WgetFlavor.uclientFetch
        var address = AddressForm.plain("203.0.113.7")
        var writesPasswordFile = true
        /// An address for a stand-in of OpenWrt's network.sh to report; nil: no network.sh.
        var netifdAddress: String?
    }

    enum WgetFlavor: String, Sendable, CaseIterable, CustomStringConvertible {
        case uclientFetch = "uclient-fetch"
        case busyboxWget = "busybox wget"
        var description: String { rawValue }
    }

    /// The two ways `ip -4 addr` shows a PPPoE address.
    enum AddressForm: Sendable, CustomStringConvertible {
        case plain(String)
        case peer(String, peer: String)

        var address: String {
            switch self {
            case .plain(let a), .peer(let a, _): a
            }
        }
        var ipArguments: [String] {
            switch self {
            case .plain(let a): ["\(a)/32"]
            case .peer(let a, let peer): [a, "peer", "\(peer)/32"]
            }
        }
        var description: String { ipArguments.joined(separator: " ") }
    }

    /// One call the endpoint received.
    struct Request: Sendable {
        let path: String
        let rawQuery: String
        /// Centiseconds on the endpoint's clock when the call arrived and when it was answered.
        let start: Int
        let end: Int?
        let code: Int?

        /// The query's name=value pairs in order, percent-decoded.
        var parameters: [(name: String, value: String)] {
            rawQuery.split(separator: "&", omittingEmptySubsequences: false).map { pair in
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = String(parts[0]).removingPercentEncoding ?? String(parts[0])
                let raw = parts.count > 1 ? String(parts[1]) : ""
                return (name, raw.removingPercentEncoding ?? "<undecodable \(raw)>")
            }
        }
        func value(_ name: String) -> String? { parameters.first { $0.name == name }?.value }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static let domain = "example.jp"
    static let interface = "wanppp"
    /// Distinctive, and full of what a URL or a shell would mangle.
    static let password = "pw-S3cr3t'$(x)&= é+%/?#"
    static let port = 8080
    static let template = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Playbooks/templates/40-pppoe")

    let config: Config
    let namespace: String
    let directory: URL
    let script: URL
    private var server: Process?

    init(_ config: Config) throws {
        guard getuid() == 0 else {
            throw Failure(description: "DDNS hook tests need root for `ip netns` (CI runs as root)")
        }
        self.config = config
        let tag = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        namespace = "wrtform-ddns-\(tag)"
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("wrtform-ddns-\(tag)")
        script = directory.appendingPathComponent("40-pppoe")
        do {
            try prepareFiles()
            try Self.ip(["netns", "add", namespace])
            try ip("link", "set", "lo", "up")
            try ip("link", "add", "pppoe-wanppp", "type", "veth", "peer", "name", "wrtform-peer")
            try ip("link", "set", "pppoe-wanppp", "up")
            try setAddress(config.address)
            try startServer()
        } catch {
            close()
            throw error
        }
    }

    // MARK: Files

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Writes through a close-on-exec descriptor. Tests run in parallel: a descriptor without
    /// it leaks into whatever another test starts meanwhile, and while that process lives,
    /// executing the file (the wget and logger stand-ins, the CGI) fails with ETXTBSY.
    private func write(_ text: String, to name: String, mode: Int) throws {
        let file = path(name)
        let fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode_t(mode))
        guard fd >= 0 else { throw Failure(description: "cannot write \(file): \(String(cString: strerror(errno)))") }
        defer { Glibc.close(fd) }
        let bytes = Array(text.utf8)
        var done = 0
        while done < bytes.count {
            let n = bytes[done...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw Failure(description: "cannot write \(file): \(String(cString: strerror(errno)))") }
            done += n
        }
        guard fchmod(fd, mode_t(mode)) == 0 else {
            throw Failure(description: "cannot chmod \(file): \(String(cString: strerror(errno)))")
        }
    }

    private func prepareFiles() throws {
        let fm = FileManager.default
        try fm.createDirectory(
            at: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o755])
        for sub in ["bin", "www", "www/cgi-bin"] {
            try fm.createDirectory(atPath: path(sub), withIntermediateDirectories: false)
        }
        for command in DDNSHookFixtures.allowedCommands where !["wget", "logger", "flock"].contains(command) {
            try fm.createSymbolicLink(atPath: path("bin/\(command)"), withDestinationPath: "/bin/busybox")
        }
        try fm.createSymbolicLink(atPath: path("bin/flock"), withDestinationPath: "/usr/bin/flock")
        try write(DDNSHookFixtures.logger(logFile: path("syslog")), to: "bin/logger", mode: 0o755)
        let wget =
            config.wget == .uclientFetch
            ? DDNSHookFixtures.uclientFetch(directory: directory.path) : DDNSHookFixtures.busyboxWget
        try write(wget, to: "bin/wget", mode: 0o755)
        try write(
            DDNSHookFixtures.hotplugCall(directory: directory.path, forbidden: try Self.forbiddenApplets()),
            to: "hotplug-call", mode: 0o644)
        try write(
            DDNSHookFixtures.endpoint(directory: directory.path, intervalSeconds: config.interval),
            to: "www/cgi-bin/dyn.fcg", mode: 0o755)
        try write("pong\n", to: "www/ping.txt", mode: 0o644)
        if config.writesPasswordFile {
            try write(Self.password + "\n", to: "ddns.secret", mode: 0o600)
        }
        if let address = config.netifdAddress {
            try write(
                DDNSHookFixtures.networkSh(callsFile: path("network-sh.calls"), address: address),
                to: "network.sh", mode: 0o644)
        }
        let template = try String(contentsOf: Self.template, encoding: .utf8)
        try write(try Self.render(template, values: values), to: "40-pppoe", mode: 0o644)
    }

    var values: [String: String] {
        [
            "interface": Self.interface,
            "ddns_domain": Self.domain,
            "ddns_hosts": config.hosts,
            "ddns_endpoint": "http://127.0.0.1:\(Self.port)/cgi-bin/dyn.fcg",
            "ddns_interval": String(config.interval),
            "ddns_retries": String(config.retries),
            "ddns_password_file": path("ddns.secret"),
        ]
    }

    /// Substitutes `{{ name }}` the way the playbook loader will; an unknown name is an error.
    static func render(_ template: String, values: [String: String]) throws -> String {
        var out = ""
        var rest = Substring(template)
        while let open = rest.range(of: "{{") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                throw Failure(description: "unclosed {{ in the template")
            }
            let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            guard let value = values[name] else { throw Failure(description: "no value for {{ \(name) }}") }
            out += value
            rest = rest[close.upperBound...]
        }
        return out + rest
    }

    /// What a stock OpenWrt 24.10 lacks that Debian might offer (see openwrt-facts.md).
    static let missingOnOpenWrt = [
        "bash", "python", "python3", "perl", "curl", "jq", "nohup", "setsid", "timeout", "stat", "realpath",
        "base64", "sha1sum",
    ]

    /// Commands the hook may not use: Debian busybox applets outside the allowed set, and what
    /// OpenWrt lacks (valid shell function names only).
    static func forbiddenApplets() throws -> [String] {
        let list = try run(["/bin/busybox", "--list"]).output.split(separator: "\n").map(String.init)
        return Set(list + missingOnOpenWrt).sorted().filter { name in
            !DDNSHookFixtures.allowedCommands.contains(name)
                && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
                && !(name.first?.isNumber ?? true)
        }
    }

    // MARK: Namespace

    @discardableResult
    static func run(_ arguments: [String], environment: [String: String]? = nil) throws -> (
        status: Int32, output: String
    ) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        if let environment { process.environment = environment }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    private static func ip(_ arguments: [String]) throws {
        let result = try run(["/usr/sbin/ip"] + arguments)
        guard result.status == 0 else {
            throw Failure(description: "ip \(arguments.joined(separator: " ")): \(result.output)")
        }
    }

    private func ip(_ arguments: String...) throws {
        try Self.ip(["-n", namespace] + arguments)
    }

    /// Replaces the PPPoE device's address.
    func setAddress(_ form: AddressForm) throws {
        try ip("addr", "flush", "dev", "pppoe-wanppp")
        try Self.ip(["-n", namespace, "addr", "add"] + form.ipArguments + ["dev", "pppoe-wanppp"])
    }

    /// Leaves the PPPoE device without an IPv4 address.
    func removeAddress() throws {
        try ip("addr", "flush", "dev", "pppoe-wanppp")
    }

    private func startServer() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        process.arguments = [
            "netns", "exec", namespace, "/bin/busybox", "httpd", "-f",
            "-p", "127.0.0.1:\(Self.port)", "-h", path("www"),
        ]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        server = process
        let ping = [
            "/usr/sbin/ip", "netns", "exec", namespace, "/bin/busybox", "wget", "-q", "-O", "-",
            "http://127.0.0.1:\(Self.port)/ping.txt",
        ]
        for _ in 0..<100 {
            if try Self.run(ping).output == "pong\n" { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw Failure(description: "the fake endpoint did not answer in the namespace \(namespace)")
    }

    /// Every process inside the namespace: the server, its CGI children, hook jobs.
    func processesInNamespace() throws -> Set<Int32> {
        let result = try Self.run(["/usr/sbin/ip", "netns", "pids", namespace])
        return Set(result.output.split(whereSeparator: \.isWhitespace).compactMap { Int32($0) })
    }

    /// Kills whatever the test left running in its namespace, deletes the namespace and files.
    func close() {
        if let pids = try? processesInNamespace() {
            for pid in pids { kill(pid, SIGKILL) }
        }
        if let server {
            if server.isRunning { server.terminate() }
            server.waitUntilExit()
        }
        _ = try? Self.run(["/usr/sbin/ip", "netns", "del", namespace])
        try? FileManager.default.removeItem(at: directory)
    }

    // MARK: Events

    /// Runs the hook for one interface event as /sbin/hotplug-call would, waits for it (not for
    /// its background job) and returns its exit status. A hook still running after `timeout` is
    /// killed: it would have held up netifd's event queue.
    @discardableResult
    func fire(
        _ action: String, interface: String = DDNSHookHarness.interface, _ extra: [String: String] = [:],
        timeout: Duration = .seconds(20)
    ) async throws -> Int32 {
        var environment = [
            "PATH": path("bin"),
            "ACTION": action,
            "INTERFACE": interface,
            "WRTFORM_DDNS_STATE_DIR": path("state"),
            "WRTFORM_DDNS_NETWORK_SH": path("network.sh"),
        ]
        if action == "ifup" || action == "ifupdate" { environment["DEVICE"] = "pppoe-\(interface)" }
        environment.merge(extra) { $1 }
        let clock = ContinuousClock()
        let started = clock.now
        let pid = try Self.spawn(
            ["/usr/sbin/ip", "netns", "exec", namespace, "/bin/busybox", "ash", path("hotplug-call"), script.path],
            environment: environment)
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) == 0 {
            if clock.now - started > timeout {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                throw Failure(description: "the hook for \(action) \(interface) did not return within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        // WEXITSTATUS, spelled out: the macro does not come through to Swift.
        return (status >> 8) & 0xff
    }

    /// Starts a process with stdio on /dev/null. Not Foundation's Process: on Linux it learns of
    /// the end of a child through a socket the child inherits, so it would also wait for the
    /// hook's background job, which keeps that descriptor; netifd waits for the pid alone.
    private static func spawn(_ arguments: [String], environment: [String: String]) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, arguments[0], &actions, nil, argv, envp)
        guard rc == 0 else {
            throw Failure(description: "cannot start \(arguments[0]): \(String(cString: strerror(rc)))")
        }
        return pid
    }

    // MARK: Observations

    private func read(_ name: String) -> String {
        (try? String(contentsOfFile: path(name), encoding: .utf8)) ?? ""
    }

    /// The calls the endpoint received, in arrival order.
    func requests() -> [Request] {
        var starts: [(pid: String, start: Int, uri: String)] = []
        var ends: [String: (end: Int, code: Int)] = [:]
        for line in read("requests.log").split(separator: "\n") {
            let fields = line.split(separator: " ", maxSplits: 3).map(String.init)
            guard fields.count >= 3, let time = Int(fields[2]) else { continue }
            if fields[0] == "START" {
                starts.append((fields[1], time, fields.count > 3 ? fields[3] : ""))
            } else if fields[0] == "END", fields.count > 3, let code = Int(fields[3]) {
                ends[fields[1]] = (time, code)
            }
        }
        return starts.map { entry in
            let parts = entry.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
            return Request(
                path: String(parts[0]), rawQuery: parts.count > 1 ? String(parts[1]) : "",
                start: entry.start, end: ends[entry.pid]?.end, code: ends[entry.pid]?.code)
        }
    }

    /// Messages the hook logged with tag wrtform-ddns (the logger stand-in's lines).
    func log() -> [String] {
        read("syslog").split(separator: "\n").map(String.init)
    }

    /// Applets OpenWrt lacks that the hook tried to run.
    func forbiddenCalls() -> [String] {
        read("forbidden.log").split(separator: "\n").map(String.init)
    }

    func networkShCalls() -> [String] {
        read("network-sh.calls").split(separator: "\n").map(String.init)
    }

    /// The hook's state directory: names and contents.
    func stateFiles() -> [String: String] {
        let dir = path("state")
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return [:] }
        return Dictionary(
            uniqueKeysWithValues: names.map { name in
                (name, (try? String(contentsOfFile: "\(dir)/\(name)", encoding: .utf8)) ?? "")
            })
    }

    var stateDirectoryExists: Bool { FileManager.default.fileExists(atPath: path("state")) }

    /// Makes the endpoint answer 503 to the next `count` calls.
    func answerBusy(_ count: Int) throws {
        try write("\(count)\n", to: "server.busy", mode: 0o644)
    }

    /// Makes the next `count` calls fail to connect (uclient-fetch's exit 4), before they reach the endpoint.
    func failConnects(_ count: Int) throws {
        try write("\(count)\n", to: "fetch.fail", mode: 0o644)
    }

    /// Uptime seconds at each call that failed to connect.
    func connectFailures() -> [Double] {
        read("fetch.failures").split(separator: "\n").compactMap { Double($0.split(separator: " ").first ?? "") }
    }

    /// Makes uclient-fetch print its progress line on stderr and hold the body back a second.
    func slowBodies() throws {
        try write("", to: "fetch.slow", mode: 0o644)
    }

    /// While the gate is closed, the endpoint holds every answer.
    func closeGate() throws { try write("", to: "server.gate", mode: 0o644) }
    func openGate() throws { try FileManager.default.removeItem(atPath: path("server.gate")) }

    /// Waits until only the server is left in the namespace: every hook job has ended.
    func waitUntilQuiet(timeout: Duration = .seconds(60)) async throws {
        let clock = ContinuousClock()
        let started = clock.now
        let serverPID = server?.processIdentifier ?? -1
        while clock.now - started < timeout {
            if try processesInNamespace().subtracting([serverPID]).isEmpty { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw Failure(description: "hook jobs still running after \(timeout); calls so far: \(requests().count)")
    }

    /// Waits until the endpoint has seen at least `count` calls.
    func waitForRequests(_ count: Int, timeout: Duration = .seconds(30)) async throws {
        let clock = ContinuousClock()
        let started = clock.now
        while clock.now - started < timeout {
            if requests().count >= count { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw Failure(description: "expected \(count) calls within \(timeout), saw \(requests().count)")
    }
}
