import ArgumentParser

/// Which router a command works on: SSH connection options, an inventory entry, or `--root DIR`
/// for a local directory. Never in the playbook, so one playbook serves many routers.
struct TargetOptions: ParsableArguments {
    @Option(help: "The router's host name or address.")
    var host: String?

    @Option(help: "The router's SSH port.")
    var port: Int?

    @Option(help: "The user to log in as.")
    var user: String?

    @Option(name: .customLong("identity"), help: "A private key file to authenticate with (repeatable).")
    var identities: [String] = []

    @Option(name: .customLong("known-hosts"), help: "The OpenSSH known_hosts file to check the router's host key against (default ~/.ssh/known_hosts).")
    var knownHosts: String?

    @Flag(help: "Trust and record the router's host key if known_hosts has none for it (like OpenSSH's accept-new). A changed key is always refused.")
    var acceptNewHostKey = false

    @Flag(name: .customLong("password"), help: "Authenticate with a password: from WRTFORM_SSH_PASSWORD, or asked for on the terminal.")
    var usePassword = false

    @Option(help: "Seconds to wait for the router to answer.")
    var connectTimeout: Int = 10

    @Option(help: "Work on a directory holding a router's root filesystem (an extracted backup, an Image Builder files/ tree) instead of SSH.")
    var root: String?

    @Option(help: "An inventory file naming routers (YAML: hosts: {NAME: {host, port, user, identity, known_hosts}}).")
    var inventory: String?

    @Option(help: "The inventory entry to use.")
    var limit: String?

    func validate() throws {
        if root != nil && (host != nil || inventory != nil) {
            throw ValidationError("give either --root or --host/--inventory, not both")
        }
        if inventory != nil && limit == nil {
            throw ValidationError("--inventory needs --limit NAME to pick the router")
        }
        if root == nil && host == nil && inventory == nil {
            throw ValidationError("name the router: --host ADDRESS (or --inventory FILE --limit NAME, or --root DIR for a local directory)")
        }
        if let port, !(1...65535).contains(port) {
            throw ValidationError("--port \(port) is out of range (1-65535)")
        }
    }
}
