import ArgumentParser
import WrtformSSH

/// Which router a command works on: SSH connection options, an inventory entry, or `--root DIR`
/// for a local directory. Never in the playbook, so one playbook serves many routers.
struct TargetOptions: ParsableArguments {
    @Option(help: "The router: HOST, USER@HOST, HOST:PORT, [IPV6]:PORT, or a Host alias from ~/.ssh/config.")
    var host: String?

    @Option(help: "The router's SSH port.")
    var port: Int?

    @Option(help: "The user to log in as.")
    var user: String?

    @Option(name: .customLong("identity"), help: "A private key file to authenticate with (repeatable).")
    var identities: [String] = []

    @Option(
        name: .customLong("known-hosts"),
        help: "The OpenSSH known_hosts file to check the router's host key against (default ~/.ssh/known_hosts).")
    var knownHosts: String?

    @Flag(
        help:
            "Trust and record the router's host key if known_hosts has none for it (like OpenSSH's accept-new). A changed key is always refused."
    )
    var acceptNewHostKey = false

    @Flag(
        name: .customLong("password"),
        help: "Authenticate with a password: from WRTFORM_SSH_PASSWORD, or asked for on the terminal.")
    var usePassword = false

    @Option(help: "Seconds to wait for the router to answer and log in (1-600).")
    var connectTimeout: Int = 10

    @Option(
        help:
            "Work on a directory holding a router's root filesystem (an extracted backup, an Image Builder files/ tree) instead of SSH."
    )
    var root: String?

    @Option(
        help:
            "An inventory file naming routers (YAML: hosts: {NAME: {host, port, user, identity, known_hosts, vars, secrets}}); default $WRTFORM_INVENTORY. Selecting several hosts runs the command on each, as wrtform fleet does."
    )
    var inventory: String?

    @Option(
        help:
            "The inventory's hosts to use: comma-separated host names, group names and shell globs (default: every host)."
    )
    var limit: String?

    /// The longest --connect-timeout: longer waits are typos, and Durations must not overflow.
    static let connectTimeoutRange = 1...600

    /// `--inventory`, or WRTFORM_INVENTORY when neither --host nor --root names the router.
    var inventoryFile: String? {
        if let inventory { return inventory }
        guard host == nil, root == nil, let file = Console.current.environment["WRTFORM_INVENTORY"], !file.isEmpty
        else { return nil }
        return file
    }

    func validate() throws {
        if root != nil && (host != nil || inventory != nil) {
            throw ValidationError("give either --root or --host/--inventory, not both")
        }
        if host != nil && inventory != nil {
            throw ValidationError(
                "give either --host or --inventory FILE --limit NAME, not both (the inventory entry would be partly overridden)"
            )
        }
        if limit != nil && inventoryFile == nil {
            throw ValidationError("--limit picks hosts of an inventory: give --inventory FILE too")
        }
        if root == nil && host == nil && inventoryFile == nil {
            throw ValidationError(
                "name the router: --host ADDRESS (or --inventory FILE --limit NAME, or --root DIR for a local directory)"
            )
        }
        if let port, !(1...65535).contains(port) {
            throw ValidationError("--port \(port) is out of range (1-65535)")
        }
        if !Self.connectTimeoutRange.contains(connectTimeout) {
            throw ValidationError(
                "--connect-timeout must be \(Self.connectTimeoutRange.lowerBound)-\(Self.connectTimeoutRange.upperBound) seconds, not \(connectTimeout)"
            )
        }
        if let host {
            let destination: SSHDestination
            do {
                destination = try SSHDestination.parse(host)
            } catch {
                throw ValidationError("--host \(error.description)")
            }
            if destination.user != nil && user != nil {
                throw ValidationError("--host names the user (\(host)) and --user gives one too; give it once")
            }
            if destination.port != nil && port != nil {
                throw ValidationError("--host names the port (\(host)) and --port gives one too; give it once")
            }
        }
    }
}
