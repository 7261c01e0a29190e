/// An init script switched on or off (`/etc/init.d/NAME enable|disable`) and started or stopped.
/// The plan reads its state in the snapshot (an /etc/rc.d/S??NAME link; `/etc/init.d/NAME running`);
/// apply runs the verbs after any package step has installed the script; rollback runs the inverse.
public struct ServiceStep: Step {
    public let id: String
    public let location: SourceLocation?
    public let name: String
    public let enabled: Bool?
    public let running: Bool?
    public var kind: StepKind { .service }
    public var files: [String] { [] }

    public static let fields: Set<String> = ["name", "enabled", "running"]

    public init(_ input: StepInput) throws {
        try input.allowOnly(Self.fields)
        id = input.id
        location = input.location
        name = try input.requiredString("name")
        guard Self.isValidName(name) else {
            throw input.error(
                "name", "'\(name)' is not an init script name (letters, digits and _ . -, not starting with - or .)")
        }
        enabled = try Self.flag(input, "enabled")
        running = try Self.flag(input, "running")
        if enabled == nil && running == nil {
            throw EngineError(
                .invalidInput, "service step '\(id)' needs 'enabled' or 'running' (true or false)", at: location)
        }
    }

    static func isValidName(_ name: String) -> Bool {
        guard let first = name.utf8.first, first != UInt8(ascii: "-"), first != UInt8(ascii: "."),
            name.utf8.count <= 64
        else { return false }
        return name.utf8.allSatisfy {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || "_.-".utf8.contains($0)
        }
    }

    /// A yes/no field: true, yes, on, 1 or false, no, off, 0.
    static func flag(_ input: StepInput, _ key: String) throws -> Bool? {
        guard let text = try input.string(key) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default: throw input.error(key, "\(key) of step '\(input.id)' must be true or false, not '\(text)'")
        }
    }

    public func check(_ state: RouterState) throws -> [Change] {
        guard let current = state.services[name] else {
            throw EngineError(
                .unsupported, "service step '\(id)': services are switched on a running router, over SSH",
                at: location, hint: "for an image, enable services in Image Builder's files/ (/etc/rc.d links)")
        }
        // Not there yet, but a package this plan installs may bring it: apply finds out (and fails
        // cleanly) if it still does not exist then. Its state after the install is not known — a
        // package's postinst (base-files' default_postinst) enables and starts its init scripts —
        // so every state the step asks for is planned.
        guard current.exists || !state.packagesInstalling.isEmpty else {
            throw EngineError(
                .notFound, "service step '\(id)': the router has no /etc/init.d/\(name)", at: location,
                hint: "install the package that provides it with a package step, or check the name")
        }
        // rc.common answers `running` of a script that is not procd's with its help and status 0:
        // nothing tells whether it runs, so a start or stop (and its undoing) would be a guess.
        if running != nil, current.exists, !current.runningKnown {
            throw EngineError(
                .unsupported,
                "service step '\(id)': /etc/init.d/\(name) is not a procd script (it has no 'running' command), so whether it runs cannot be read",
                at: location, hint: "drop 'running' from the step (keep 'enabled'), or start and stop it by hand")
        }
        var changes: [Change] = []
        if let enabled, enabled != current.enabled || !current.exists {
            changes.append(.service(name: name, verb: enabled ? .enable : .disable))
        }
        if let running, running != current.running || !current.exists {
            changes.append(.service(name: name, verb: running ? .start : .stop))
        }
        return changes
    }
}
