import Foundation
import VirtualRouter
import WrtformCommands

/// Runs the CLI in-process with a captured console, as a user's shell would see it.
final class CapturedConsole: @unchecked Sendable {
    private let lock = NSLock()
    private var outText = ""
    private var errText = ""
    private var input: [String]

    init(input: [String] = []) {
        self.input = input
    }

    var stdout: String { lock.withLock { outText } }
    var stderr: String { lock.withLock { errText } }

    func console(environment: [String: String], interactive: Bool = false) -> Console {
        Console(
            out: { [self] text in lock.withLock { outText += text } },
            err: { [self] text in lock.withLock { errText += text } },
            readLine: { [self] in lock.withLock { input.isEmpty ? nil : input.removeFirst() } },
            isInteractive: interactive, useColor: false, environment: environment)
    }
}

struct CLIResult {
    var code: Int32
    var stdout: String
    var stderr: String
    var all: String { stdout + stderr }
}

enum CLI {
    static let pppoePassword = "Pp-S3cr3t-'$(reboot)"
    static let ddnsPassword = "Dd-S3cr3t-`id`"
    static let pppoeUser = "ocn-user-S3cr3t@ocn"

    static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    static var ocn: String { repository.appendingPathComponent("Playbooks/ocn-dualstack-pppoe.yml").path }

    static func environment(state: URL? = nil) -> [String: String] {
        var environment = [
            "WRTFORM_PPPOE_USERNAME": pppoeUser, "WRTFORM_PPPOE_PASSWORD": pppoePassword,
            "WRTFORM_DDNS_PASSWORD": ddnsPassword,
            "HOME": FileManager.default.temporaryDirectory.path, "USER": "tester",
        ]
        if let state { environment["XDG_STATE_HOME"] = state.path }
        return environment
    }

    static func run(
        _ arguments: [String], environment: [String: String] = environment(), input: [String] = [],
        interactive: Bool = false
    ) async -> CLIResult {
        let captured = CapturedConsole(input: input)
        let code = await Console.$current.withValue(
            captured.console(environment: environment, interactive: interactive)
        ) {
            await Wrtform.run(arguments: arguments)
        }
        return CLIResult(code: code, stdout: captured.stdout, stderr: captured.stderr)
    }

    static func target(_ router: VirtualRouter) -> [String] {
        [
            "--host", router.host, "--port", String(router.port), "--identity", router.clientKeyFile, "--known-hosts",
            router.knownHostsFile,
        ]
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("wrtform-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes a playbook into a fresh directory and returns its path.
    static func playbook(_ text: String, named name: String = "playbook.yml") throws -> String {
        let path = try temporaryDirectory().appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func containsSecret(_ text: String) -> Bool {
        [pppoePassword, ddnsPassword, pppoeUser, "S3cr3t"].contains { text.contains($0) }
    }
}
