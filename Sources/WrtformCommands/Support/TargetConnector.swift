import Foundation
import WrtformEngine
import WrtformPlaybook
import WrtformSSH

/// Turns the command line's target options into a router: SSH (host-key checked, then agent, key
/// files, password) or a local directory.
enum TargetConnector {
    static func connect(_ options: TargetOptions, console: Console) async throws -> any RouterTarget {
        if let root = options.root {
            return try LocalDirectoryTarget(root: URL(fileURLWithPath: root))
        }
        var host = options.host
        var port = options.port
        var user = options.user
        var identities = options.identities
        var knownHosts = options.knownHosts
        if let path = options.inventory, let name = options.limit {
            let entry = try Inventory.load(path: path).host(named: name)
            host = host ?? entry.host
            port = port ?? entry.port
            user = user ?? entry.user
            if identities.isEmpty, let identity = entry.identity { identities = [identity] }
            knownHosts = knownHosts ?? entry.knownHosts
        }
        guard let host else {
            throw EngineError(.invalidInput, "no router named", hint: "pass --host ADDRESS, --inventory FILE --limit NAME, or --root DIR")
        }
        let environment = console.environment
        var password: String?
        if options.usePassword {
            if let fromEnvironment = environment["WRTFORM_SSH_PASSWORD"] {
                password = fromEnvironment
            } else if console.isInteractive {
                password = try TerminalPrompter(console: console).prompt("Password for \(user ?? "root")@\(host)")
            } else {
                throw EngineError(.invalidInput, "--password needs WRTFORM_SSH_PASSWORD, or a terminal to ask on")
            }
        }
        let passphrase = environment["WRTFORM_SSH_PASSPHRASE"]
        let prompter = console.isInteractive ? TerminalPrompter(console: console) : nil
        let credentials = SSHCredentials(
            agent: environment["SSH_AUTH_SOCK"] != nil, agentSocket: environment["SSH_AUTH_SOCK"],
            identityFiles: identities.isEmpty ? SSHCredentials.defaultIdentityFiles() : identities,
            passphrase: { file in passphrase ?? (try? prompter?.prompt("Passphrase for \(file)")) ?? nil },
            password: password)
        let policy = HostKeyPolicy.knownHosts(
            file: knownHosts ?? HostKeyPolicy.defaultKnownHostsFile, acceptNew: options.acceptNewHostKey)
        return SSHRouterTarget(
            SSHTarget(host: host, port: port ?? 22, user: user ?? "root"), hostKeyPolicy: policy, credentials: credentials,
            connectTimeout: .seconds(options.connectTimeout))
    }

    /// Connects, runs `body`, and always closes the connection.
    static func withRouter<T>(_ options: TargetOptions, console: Console, _ body: (any RouterTarget) async throws -> T) async throws -> T {
        let router = try await connect(options, console: console)
        do {
            let result = try await body(router)
            await close(router)
            return result
        } catch {
            await close(router)
            throw error
        }
    }

    static func close(_ target: any RouterTarget) async {
        if let ssh = target as? SSHRouterTarget { await ssh.close() }
    }
}
