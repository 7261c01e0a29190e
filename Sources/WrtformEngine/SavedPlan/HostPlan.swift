import Foundation
import WrtformUCI

/// One host's part of a saved plan: what the plan read (each file's seal), what it would write
/// (each file's new bytes, secrets left out), the services to reload and the steps, as `plan`
/// showed them.
public struct HostPlan: Sendable, Codable {
    /// A file the plan writes: its old and new seals, and the new bytes as far as they may be kept.
    public struct File: Sendable, Codable, Equatable {
        public var path: String
        public var old: String
        public var new: String
        /// The new file's mode and owner (absent when the plan removes it).
        public var mode: String?
        public var owner: String?
        /// The new bytes as text; with `masked`, secret values stand as `(secret)`.
        public var content: String?
        /// The new bytes, when they are not UTF-8 text.
        public var contentBase64: String?
        public var masked: Bool?
        /// A secret file (or a record holding its hash): no byte of it is kept.
        public var hidden: Bool?

        enum CodingKeys: String, CodingKey {
            case path, old, new, mode, owner, content, masked, hidden
            case contentBase64 = "content_base64"
        }
    }

    public struct Step: Sendable, Codable, Equatable {
        public var id: String
        public var kind: String
        public var action: String
        public var summary: [String]
    }

    /// The inventory host name (`--limit NAME`), or the target's name.
    public var host: String
    /// The router as wrtform named it (`root@192.168.1.1:22`, a `--root` directory): apply must reach the same.
    public var target: String
    /// When the plan was made (seconds since 1970).
    public var made: Int
    /// Every file the plan read, by path: its seal (`absent`, `sha256:…`, `hmac:…`).
    public var read: [String: String]
    public var files: [File]
    public var services: [String]
    /// What the run would do after the write, in order: `install map`, `remove tcpdump`,
    /// `service sysntpd enable`. A package installed or removed since the plan changes this list.
    public var commands: [String]
    public var steps: [Step]
    public var summary: String

    enum CodingKeys: String, CodingKey {
        case host, target, made, read, files, services, commands, steps, summary
    }

    /// The entry for `plan`. `scrub` replaces the playbook's resolved secret values in a text (the
    /// CLI's last line of defence); a file it changes counts as holding a secret.
    public init(plan: Plan, host: String, target: String, seal: PlanSeal, scrub: (String) -> String) throws {
        self.host = host
        self.target = target
        made = Int(Date().timeIntervalSince1970)
        func secret(_ path: String, _ state: FileState) -> Bool {
            Self.holdsSecret(path, state, plan: plan, scrub: scrub)
        }
        var read: [String: String] = [:]
        for (path, state) in plan.snapshot.files { read[path] = try seal.seal(state, secret: secret(path, state)) }
        self.read = read
        files = try plan.files.map { change in
            var file = File(
                path: change.path, old: try seal.seal(change.old, secret: secret(change.path, change.old)),
                new: try seal.seal(change.new, secret: secret(change.path, change.new)))
            guard let content = change.new.content else { return file }
            (file.mode, file.owner) = (change.new.mode, change.new.owner)
            if plan.secretFiles.contains(change.path) || Self.recordsSecretFile(change.path, change.new) {
                file.hidden = true
            } else if secret(change.path, change.new) {
                file.content = scrub(UnifiedDiff.masked(change.new.text, secretOptions: plan.secretKeys))
                file.masked = true
            } else if let text = String(validating: content, as: UTF8.self) {
                file.content = text
            } else {
                file.contentBase64 = Data(content).base64EncodedString()
            }
            return file
        }
        services = plan.services
        commands = plan.commands.compactMap(Self.command)
        steps = plan.steps.map {
            Step(id: $0.id, kind: $0.kind.rawValue, action: $0.action.rawValue, summary: $0.summary.map(scrub))
        }
        summary = plan.summaryLine
    }

    /// Whether the bytes hold a secret: a secret file, a secret option's value, a value of one of the
    /// playbook's secrets, or an ownership record keeping a secret file's hash.
    static func holdsSecret(_ path: String, _ state: FileState, plan: Plan, scrub: (String) -> String) -> Bool {
        guard state.content != nil else { return false }
        if plan.secretFiles.contains(path) || recordsSecretFile(path, state) { return true }
        let text = state.text
        return UnifiedDiff.masked(text, secretOptions: plan.secretKeys) != text || scrub(text) != text
    }

    static func recordsSecretFile(_ path: String, _ state: FileState) -> Bool {
        guard path == OwnershipRecord.path, state.content != nil else { return false }
        guard let record = try? OwnershipRecord.read(state) else { return true }
        return record.playbooks.values.contains { $0.steps.contains { $0.secret == true } }
    }

    /// A package or service change as the saved plan names it (nil for a file change).
    static func command(_ change: Change) -> String? {
        switch change {
        case .package(let name, let install): return "\(install ? "install" : "remove") \(name)"
        case .service(let name, let verb): return "service \(name) \(verb.rawValue)"
        default: return nil
        }
    }

    public var hasChanges: Bool { !files.isEmpty || !commands.isEmpty }

    /// The files whose seal on the router now differs from the one the plan read.
    public func changed(in snapshot: Snapshot, seal: PlanSeal) throws -> [String] {
        try read.keys.sorted().filter { path in !(try seal.matches(read[path] ?? "", snapshot.files[path] ?? .absent)) }
    }

    /// Refuses unless `fresh` — the playbook planned again on a router whose files all still have
    /// their seals — writes exactly what this entry holds.
    public func verify(_ fresh: Plan, seal: PlanSeal) throws {
        func differs(_ what: String) -> EngineError {
            EngineError(
                .conflict,
                "the playbook no longer plans what the saved plan holds for \(host): \(what); nothing was written",
                hint:
                    "a secret in the environment, the inventory or a --var-file differs from when the plan was made: make the plan again"
            )
        }
        let paths = files.map(\.path)
        let freshPaths = fresh.files.map(\.path)
        if Set(paths) != Set(freshPaths) {
            let extra = freshPaths.filter { !paths.contains($0) }
            let missing = paths.filter { !freshPaths.contains($0) }
            throw differs(
                (extra.map { "\($0) would be written too" } + missing.map { "\($0) would not be written" })
                    .joined(separator: ", "))
        }
        for change in fresh.files {
            guard let saved = files.first(where: { $0.path == change.path }) else { continue }
            guard try seal.matches(saved.old, change.old) else {
                throw EngineError(
                    .changedSincePlan, "changed since the plan was made: \(change.path); nothing was written",
                    hint: "make the plan again")
            }
            let mode = change.new.exists ? change.new.mode : nil
            let owner = change.new.exists ? change.new.owner : nil
            guard try seal.matches(saved.new, change.new), saved.mode == mode, saved.owner == owner else {
                throw differs("\(change.path) would get other bytes, mode or owner")
            }
        }
        let freshCommands = fresh.commands.compactMap(Self.command)
        if freshCommands != commands {
            throw differs(
                "it would run \(freshCommands.isEmpty ? "no command" : freshCommands.joined(separator: ", ")), "
                    + "not \(commands.isEmpty ? "none" : commands.joined(separator: ", "))")
        }
        if fresh.services != services {
            throw differs(
                "it would reload \(fresh.services.joined(separator: ", ")), not \(services.joined(separator: ", "))")
        }
    }
}
