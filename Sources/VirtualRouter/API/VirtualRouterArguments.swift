/// The `virtual-router` executable's command line, parsed here so tests can check it: a fixture name
/// and `--packages opkg|apk`, which gives the router a package manager (the README's package and
/// WireGuard walk-throughs need one; without it the router has neither, as before).
public enum VirtualRouterArguments {
    /// What a command line asks for: start a router with `options`, or run the demo with a playbook.
    public enum Request: Equatable, Sendable {
        case start(fixture: String, packageManager: PackageManagerKind?)
        case demo(playbook: String?)
        case help
    }

    /// The usage text `--help` prints.
    public static let usage = """
        usage: virtual-router [FIXTURE] [--packages opkg|apk]   start a router: FIXTURE is a directory under \
        Fixtures/routers (default openwrt-24.10); --packages gives it opkg (as 24.10) or apk (as 25.12) with a \
        local feed of small test packages (the README's package and WireGuard walk-throughs need one)
               virtual-router demo [PLAYBOOK]    plan PLAYBOOK (default Playbooks/ocn-dualstack-pppoe.yml) \
        against a fresh one
        """

    /// Parses the arguments after the program name; a bad one is one line saying what to give.
    public static func parse(_ arguments: [String]) throws -> Request {
        if arguments.contains("-h") || arguments.contains("--help") { return .help }
        if arguments.first == "demo" { return .demo(playbook: arguments.dropFirst().first) }
        var fixture: String?
        var packageManager: PackageManagerKind?
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            if argument == "--packages" || argument.hasPrefix("--packages=") {
                let value = argument == "--packages" ? rest.popFirst() : String(argument.dropFirst("--packages=".count))
                guard let value, let kind = PackageManagerKind(rawValue: value) else {
                    throw VirtualRouterError(.badArgument, "--packages takes opkg or apk (got: \(value ?? "nothing"))")
                }
                packageManager = kind
            } else if argument.hasPrefix("-") || fixture != nil {
                throw VirtualRouterError(.badArgument, "unexpected argument '\(argument)' (see virtual-router --help)")
            } else {
                fixture = argument
            }
        }
        return .start(fixture: fixture ?? VirtualRouter.Options().fixture, packageManager: packageManager)
    }
}
