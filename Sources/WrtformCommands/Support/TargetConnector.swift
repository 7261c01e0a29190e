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
        let environment = console.environment
        guard let address = try address(options, environment: environment) else {
            throw EngineError(
                .invalidInput, "no router named",
                hint: "pass --host ADDRESS, --inventory FILE --limit NAME, or --root DIR")
        }
        let (host, user) = (address.ssh.host, address.ssh.user)
        let identities = address.identities
        var password: String?
        if options.usePassword {
            if let fromEnvironment = environment["WRTFORM_SSH_PASSWORD"] {
                password = fromEnvironment
            } else if console.isInteractive {
                password = try TerminalPrompter(console: console).prompt("Password for \(user)@\(host)")
            } else {
                throw EngineError(.invalidInput, "--password needs WRTFORM_SSH_PASSWORD, or a terminal to ask on")
            }
        }
        let passphrase = environment["WRTFORM_SSH_PASSPHRASE"]
        let prompter = console.isInteractive ? TerminalPrompter(console: console) : nil
        let identityFiles = identities.isEmpty ? SSHCredentials.defaultIdentityFiles() : identities
        // Said before connecting: an encrypted key that nothing can unlock (no agent to try first).
        if passphrase == nil, prompter == nil, environment["SSH_AUTH_SOCK"] == nil, password == nil,
            let locked = SSHCredentials.encryptedIdentityFiles(identityFiles).first
        {
            throw EngineError(
                .invalidInput,
                "identity file \(locked) is encrypted and there is no terminal to ask for its passphrase",
                hint: "set WRTFORM_SSH_PASSPHRASE, or add the key to ssh-agent (ssh-add) and set SSH_AUTH_SOCK")
        }
        let credentials = SSHCredentials(
            agent: environment["SSH_AUTH_SOCK"] != nil, agentSocket: environment["SSH_AUTH_SOCK"],
            identityFiles: identityFiles,
            passphrase: { file in passphrase ?? (try? prompter?.prompt("Passphrase for \(file)")) ?? nil },
            password: password)
        let policy = HostKeyPolicy.knownHosts(
            file: address.knownHosts ?? HostKeyPolicy.defaultKnownHostsFile, acceptNew: options.acceptNewHostKey)
        let ssh = address.ssh
        guard let display = console.progress else {
            return SSHRouterTarget(
                ssh, hostKeyPolicy: policy, credentials: credentials, connectTimeout: .seconds(options.connectTimeout))
        }
        // On a terminal: a line for each connection opened, then the progress line while it opens.
        let shown = (ssh.host.contains(":") ? "[\(ssh.host)]" : ssh.host) + ":\(ssh.port)"
        let announce = console.err
        let router = SSHRouterTarget(
            ssh, hostKeyPolicy: policy, credentials: credentials, connectTimeout: .seconds(options.connectTimeout),
            willConnect: {
                announce(VisibleText.escaped("connecting to \(shown) (timeout \(options.connectTimeout) s)") + "\n")
                display.begin("connecting to \(shown)")
            },
            didConnect: { display.end() })
        return ProgressRouter(inner: router, display: display)
    }

    /// The SSH router the options name, as `connect` reaches it (the command line, then the
    /// inventory, then ~/.ssh/config), with the identities and known_hosts file to use; nil when
    /// none is named (or --root is).
    struct Address {
        var ssh: SSHTarget
        var identities: [String]
        var knownHosts: String?
    }

    static func address(_ options: TargetOptions, environment: [String: String]) throws -> Address? {
        guard options.root == nil else { return nil }
        var alias: String?
        var port = options.port
        var user = options.user
        var identities = options.identities
        var knownHosts = options.knownHosts
        if let typed = options.host {
            let destination = try SSHDestination.parse(typed)
            alias = destination.host
            port = port ?? destination.port
            user = user ?? destination.user
        } else if let path = options.inventoryFile {
            let (_, entry) = try InventoryTarget.host(file: path, limit: options.limit)
            alias = entry.host
            port = port ?? entry.port
            user = user ?? entry.user
            if identities.isEmpty, let identity = entry.identity { identities = [identity] }
            knownHosts = knownHosts ?? entry.knownHosts
        }
        guard let alias else { return nil }
        // ~/.ssh/config, as ssh would read it for this name: the command line and the inventory win.
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        let configFile = home + "/.ssh/config"
        let config: SSHConfig.Resolved
        do {
            config = try SSHConfig.load(path: configFile, home: home).resolve(
                alias, localUser: environment["USER"] ?? "root")
        } catch {
            throw EngineError(
                .invalidInput, "\(error.description) (in the OpenSSH configuration wrtform reads for --host)")
        }
        port = port ?? config.port
        user = user ?? config.user
        if identities.isEmpty { identities = config.identityFiles }
        return Address(
            ssh: SSHTarget(host: config.hostName ?? alias, port: port ?? 22, user: user ?? "root"),
            identities: identities, knownHosts: knownHosts ?? config.userKnownHostsFile)
    }

    /// Connects, runs `body`, and always closes the connection.
    static func withRouter<T>(_ options: TargetOptions, console: Console, _ body: (any RouterTarget) async throws -> T)
        async throws -> T
    {
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
        if let shown = target as? ProgressRouter { await close(shown.inner) }
    }
}
