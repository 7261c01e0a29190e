import Foundation
import VirtualRouter
import WrtformEngine
import WrtformSSH

/// Engine access to a virtual router over real SSH.
extension VirtualRouter {
    func sshTarget(commandTimeout: Duration = .seconds(60)) -> SSHRouterTarget {
        SSHRouterTarget(
            SSHTarget(host: host, port: port, user: "root"), hostKeyPolicy: .knownHosts(file: knownHostsFile),
            credentials: SSHCredentials(agent: false, identityFiles: [clientKeyFile]), connectTimeout: .seconds(10),
            commandTimeout: commandTimeout)
    }

    /// Every regular file under the router's /etc, except wrtform's own journal.
    func etc() -> [String: Data] {
        var result: [String: Data] = [:]
        let base = root.appendingPathComponent("etc")
        guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: [.isRegularFileKey])
        else { return [:] }
        for case let url as URL in walker where !url.path.contains("/etc/wrtform/runs") {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true,
                let data = FileManager.default.contents(atPath: url.path)
            else { continue }
            result[String(url.path.dropFirst(root.path.count))] = data
        }
        return result
    }

    func read(_ path: String) -> String {
        (try? String(contentsOf: root.appendingPathComponent(String(path.dropFirst())), encoding: .utf8)) ?? "<absent>"
    }

    func write(_ path: String, _ text: String) throws {
        let url = root.appendingPathComponent(String(path.dropFirst()))
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    func exists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: root.appendingPathComponent(String(path.dropFirst())).path)
    }
}

/// Records engine events, for tests that check what was reported.
final class EventLog: EngineEventConsumer, @unchecked Sendable {
    private let lock = NSLock()
    private var items: [EngineEvent] = []

    func handle(_ event: EngineEvent) {
        lock.lock()
        items.append(event)
        lock.unlock()
    }

    var events: [EngineEvent] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }
}
