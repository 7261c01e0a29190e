import Foundation
import WrtformEngine

/// Saved plans on disk: the playbook's digest, the HMAC key, reading and writing the file.
enum SavedPlanFile {
    /// sha256 over the playbook's bytes, then each template's and each --var-file's, each framed with
    /// its name and length. Secret files are left out: a hash of a secret lets guesses be tested.
    static func digest(playbook path: String, templates: [String], varFiles: [String]) throws -> String {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path + "/"
        var bytes: [UInt8] = []
        func add(_ label: String, _ file: String) throws {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw EngineError(
                    .notFound, "cannot read \(file) to make the playbook's digest", hint: "check the path")
            }
            bytes += Array(label.utf8) + [0] + Array(String(data.count).utf8) + [0] + Array(data)
        }
        try add("playbook", path)
        for template in templates {
            // By name beside the playbook, so a checkout elsewhere keeps its digest.
            try add(
                "template " + (template.hasPrefix(directory) ? String(template.dropFirst(directory.count)) : template),
                template)
        }
        for (index, file) in varFiles.enumerated() { try add("var-file \(index)", file) }
        return SHA256.hex(bytes)
    }

    static func absolute(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }

    /// The plan key, which seals files holding secrets and authenticates every saved plan:
    /// `WRTFORM_PLAN_KEY`, else 32 random bytes (hex) in the state directory, made on first use
    /// (0600). nil: none and `create` is false. A weak key, or a key file others may read, is refused:
    /// with it anyone holding a plan could forge one.
    static func key(_ environment: [String: String], create: Bool) throws -> [UInt8]? {
        if let text = environment["WRTFORM_PLAN_KEY"], !text.isEmpty {
            guard let key = PlanSeal.key(parsing: text) else {
                throw EngineError(
                    .invalidInput,
                    "WRTFORM_PLAN_KEY is not a strong plan key: give 64 hex digits (32 random bytes) or base64 of 32 "
                        + "or more random bytes, made with `openssl rand -hex 32` or "
                        + "`head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \\n'`")
            }
            return key
        }
        let path = keyPath(environment)
        var status = stat()
        if stat(path, &status) == 0 {
            guard status.st_mode & S_IFMT == S_IFREG else {
                throw EngineError(
                    .invalidInput, "\(path) is not a plan key file", hint: "remove it; wrtform makes a new key")
            }
            guard status.st_mode & 0o077 == 0 else {
                throw EngineError(
                    .invalidInput,
                    "\(path) may be read by others (mode \(String(status.st_mode & 0o777, radix: 8))); a plan key "
                        + "must be private: chmod 600 \(path), or make a new key (remove it) and the plans again")
            }
            guard let data = FileManager.default.contents(atPath: path),
                let key = PlanSeal.key(parsing: String(decoding: data, as: UTF8.self))
            else {
                throw EngineError(
                    .invalidInput, "\(path) is not a plan key (64 hex digits)",
                    hint: "remove it; wrtform makes a new one (plans made with it must be made again)")
            }
            return key
        }
        guard create else { return nil }
        var generator = SystemRandomNumberGenerator()
        var made: [UInt8] = []
        // A random key with few distinct bytes is refused as hand-made; never in practice, but drawn again.
        while PlanSeal.key(parsing: PlanSeal.hex(made)) == nil {
            made = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        }
        let hex = PlanSeal.hex(made)
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        // Made whole beside it, then linked in only if no other run (a fleet's hosts plan at once)
        // made one first: then that one is the key.
        let temp = path + ".\(UUID().uuidString.prefix(8))"
        try write(Array((hex + "\n").utf8), to: temp)
        defer { unlink(temp) }
        if link(temp, path) != 0 {
            if errno == EEXIST { return try key(environment, create: false) }
            guard rename(temp, path) == 0 else {
                throw EngineError(
                    .invalidInput, "cannot keep the plan key in \(path) (\(String(cString: strerror(errno))))",
                    hint: "set WRTFORM_PLAN_KEY instead")
            }
        }
        return made
    }

    static func keyPath(_ environment: [String: String]) -> String { LocalState.directory(environment) + "/plan.key" }

    /// The saved plan in `path`, checked with the plan key (see `SavedPlan.decode`).
    static func read(_ path: String, seal: PlanSeal) throws -> SavedPlan {
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw EngineError(
                .notFound, "cannot read saved plan \(path): \(exists ? "permission denied" : "no such file")",
                hint: "make one with `wrtform plan PLAYBOOK … --out \(path)`")
        }
        return try SavedPlan.decode(Array(data), path: path, seal: seal)
    }

    /// Refuses, before the router is read, a `--out` that cannot take a saved plan: no name, a
    /// directory, a directory that does not exist, or a file that is not a saved plan (a mistyped
    /// `--out site.yml` must not replace the playbook). An empty file (mktemp's) or an earlier saved
    /// plan is replaced; a symbolic link is replaced itself, never written through.
    static func checkOut(_ path: String) throws {
        func refuse(_ what: String, hint: String = "name the file to write the plan to") -> EngineError {
            EngineError(.invalidInput, "--out \(path) \(what); nothing was planned", hint: hint)
        }
        guard !path.isEmpty else {
            throw EngineError(.invalidInput, "--out needs a file name", hint: "name the file to write the plan to")
        }
        var status = stat()
        if path.hasSuffix("/") || (lstat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFDIR) {
            throw refuse("is a directory")
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue
        else {
            throw refuse("cannot be written: the directory \(directory) does not exist", hint: "create it first")
        }
        guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG, status.st_size > 0 else { return }
        guard let data = FileManager.default.contents(atPath: path), SavedPlan.isSavedPlan(Array(data)) else {
            throw refuse(
                "exists and is not a wrtform saved plan, so it is not overwritten",
                hint: "name a new file, or remove that one first")
        }
    }

    /// Writes `bytes` to `path` with mode 0600 from the start: a temp file beside it, then a rename.
    static func write(_ bytes: [UInt8], to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let temp = url.deletingLastPathComponent().appendingPathComponent(
            ".\(url.lastPathComponent).\(UUID().uuidString.prefix(8))"
        ).path
        func failure(_ what: String) -> EngineError {
            EngineError(
                .invalidInput, "cannot write \(path): \(what) (\(String(cString: strerror(errno))))",
                hint: "check that its directory exists and is writable")
        }
        let descriptor = open(temp, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else { throw failure("cannot create a file beside it") }
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else {
                close(descriptor)
                unlink(temp)
                throw failure("write failed")
            }
            written += count
        }
        fsync(descriptor)
        close(descriptor)
        guard rename(temp, path) == 0 else {
            unlink(temp)
            throw failure("rename failed")
        }
    }
}

/// Under `wrtform fleet … plan --out FILE`, each host's plan lands here; the fleet writes one file
/// holding them all.
final class SavedPlanCollector: @unchecked Sendable {
    @TaskLocal static var current: SavedPlanCollector?

    private let lock = NSLock()
    private var source: SavedPlan.Source?
    private var hosts: [HostPlan] = []

    func add(_ entry: HostPlan, source: SavedPlan.Source) {
        lock.withLock {
            if self.source == nil { self.source = source }
            hosts.append(entry)
        }
    }

    /// The plan of every host that planned, or nil when none did.
    var plan: SavedPlan? {
        lock.withLock { source.map { SavedPlan(playbook: $0, hosts: hosts) } }
    }
}

/// `fleet … plan … --out FILE`: every host's plan into one file, written once the fleet has run.
struct FleetSavedPlans {
    var collector = SavedPlanCollector()
    var path: String

    /// nil unless the fleet runs `plan` with `--out`.
    init?(_ command: [String]) {
        guard command.first == "plan" else { return nil }
        var found: String?
        for (index, argument) in command.enumerated() {
            if argument == "--" { break }
            if argument.hasPrefix("--out=") { found = String(argument.dropFirst(6)) }
            if argument == "--out", index + 1 < command.count { found = command[index + 1] }
        }
        guard let found else { return nil }
        path = found
    }

    /// Writes the plans of the hosts that planned (none planned: no file); returns the line to print.
    func write(environment: [String: String]) throws -> String? {
        guard let plan = collector.plan else { return nil }
        let seal = PlanSeal(key: try SavedPlanFile.key(environment, create: true))
        try SavedPlanFile.write(try plan.sealed(with: seal), to: path)
        return
            "Saved the plans of \(plan.hosts.count) host(s) to \(path): `wrtform fleet … apply --plan \(path)` applies them."
    }
}
