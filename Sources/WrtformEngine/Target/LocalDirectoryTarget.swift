import Foundation
import WrtformUCI

/// A directory holding a router's root filesystem — an extracted sysupgrade backup, or an Image
/// Builder `files/` tree — so plan and apply work offline. It keeps the same journal layout as a
/// router (DIR/etc/wrtform/runs), so rollback works here and after the files are flashed.
///
/// What it cannot do: there are no services to reload and no running netifd, so reloads are
/// skipped and every post-check is reported SKIP; file owners are recorded but only set when
/// running as root; there is no uci binary to cross-check configs.
public struct LocalDirectoryTarget: RouterTarget {
    public let root: URL
    public var name: String { root.path }

    public init(root: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw EngineError(.notFound, "\(root.path) is not a directory", hint: "--root takes a router's root filesystem, e.g. an extracted backup")
        }
        self.root = root
    }

    public func roundTrips() async -> Int { 0 }

    private func url(_ path: String) -> URL { root.appendingPathComponent(String(path.drop { $0 == "/" })) }

    func read(_ path: String) -> FileState {
        let location = url(path)
        guard let data = FileManager.default.contents(atPath: location.path) else { return .absent }
        let attributes = (try? FileManager.default.attributesOfItem(atPath: location.path)) ?? [:]
        let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0o644
        let uid = (attributes[.ownerAccountID] as? NSNumber)?.intValue ?? 0
        let gid = (attributes[.groupOwnerAccountID] as? NSNumber)?.intValue ?? 0
        return FileState(content: Array(data), mode: "0" + String(mode & 0o7777, radix: 8), owner: "\(uid):\(gid)")
    }

    func store(_ path: String, _ state: FileState) throws {
        let location = url(path)
        guard let content = state.content else {
            if FileManager.default.fileExists(atPath: location.path) { try FileManager.default.removeItem(at: location) }
            return
        }
        try FileManager.default.createDirectory(at: location.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temp = location.deletingLastPathComponent().appendingPathComponent(".\(location.lastPathComponent).wrtform-\(UUID().uuidString.prefix(8))")
        // Private from the start (the bytes may be a secret), its own mode only just before the rename.
        let fd = open(temp.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw EngineError(.router, "cannot write \(temp.path): \(String(cString: strerror(errno)))") }
        let written = content.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == content.count, synced else {
            try? FileManager.default.removeItem(at: temp)
            throw EngineError(.router, "cannot write \(temp.path): \(String(cString: strerror(errno)))")
        }
        let mode = Int(state.mode, radix: 8) ?? 0o644
        try FileManager.default.setAttributes([.posixPermissions: NSNumber(value: mode)], ofItemAtPath: temp.path)
        if getuid() == 0 {
            let ids = state.owner.split(separator: ":").compactMap { Int($0) }
            if ids.count == 2 {
                try? FileManager.default.setAttributes(
                    [.ownerAccountID: NSNumber(value: ids[0]), .groupOwnerAccountID: NSNumber(value: ids[1])], ofItemAtPath: temp.path)
            }
        }
        if rename(temp.path, location.path) != 0 {
            try? FileManager.default.removeItem(at: temp)
            throw EngineError(.router, "cannot write \(location.path): \(String(cString: strerror(errno)))")
        }
    }

    /// The hostname /etc/config/system sets (the running one is the kernel's; there is none here).
    private func configuredHostname() -> String? {
        guard let file = try? UCIFile(parsing: read(ConfigFile.system).text) else { return nil }
        return file.sections(ofType: "system").first?["hostname"]?.items.first
    }

    private func text(_ path: String) -> String? {
        read(path).content.map { String(decoding: $0, as: UTF8.self).trimmingSpaces.trimmingNewlines }
    }

    /// Probes need a running router: here none runs, and doctor reports them SKIP.
    public func snapshot(paths: [String], run: String?, probes: [RouterProbe]) async throws -> Snapshot {
        var files: [String: FileState] = [:]
        for path in paths {
            if SnapshotGlob.pattern(path) != nil {
                for match in SnapshotGlob.expand(path, under: root) { files[match] = read(match) }
            } else {
                files[path] = read(path)
            }
        }
        var facts = Facts(
            release: ReleaseFile.parse(read("/etc/openwrt_release").text),
            hostname: configuredHostname() ?? "", tools: [:], packageManager: "none",
            configs: ((try? FileManager.default.contentsOfDirectory(atPath: url("/etc/config").path)) ?? []).filter { !$0.hasPrefix(".") }.sorted())
        // What the image holds, as `command -v` would find it on the router's PATH.
        let path = ["/usr/sbin", "/usr/bin", "/sbin", "/bin"]
        func installed(_ tool: String) -> Bool { path.contains { FileManager.default.fileExists(atPath: url("\($0)/\(tool)").path) } }
        for tool in Facts.probedTools { facts.tools[tool] = installed(tool) }
        if let manager = ["apk", "opkg"].first(where: installed) { facts.packageManager = manager }
        let staged = stagedChanges()
        let runIDs = ((try? FileManager.default.contentsOfDirectory(atPath: url(Shell.runs).path)) ?? []).sorted()
        let runs = runIDs.map { id -> RunSummary in
            let summary = RunSummaryLine.parse(text("\(Shell.journal(id))/summary") ?? "")
            return RunSummary(
                id: id, status: RunStatus(rawValue: text("\(Shell.journal(id))/status") ?? "") ?? .unknown,
                time: summary.time, playbook: summary.playbook, files: summary.files)
        }
        var snapshot = Snapshot(files: files, facts: facts, stagedChanges: staged, lock: readLock(), runs: runs)
        if let run {
            let chosen = run == "last"
                ? runIDs.last { text("\(Shell.journal($0))/kind") == "apply" && text("\(Shell.journal($0))/status") != "aborted" }
                : run
            if let chosen, let bytes = read("\(Shell.journal(chosen))/run.json").content {
                let journal = try RunJournal.decode(bytes)
                snapshot.journal = journal
                for file in journal.files where snapshot.files[file.path] == nil { snapshot.files[file.path] = read(file.path) }
            }
        }
        return snapshot
    }

    /// The same three signs of someone else mid-change as on a router: uci staging, a LuCI
    /// session's staging, a LuCI apply waiting for confirmation (/var may be a link to /tmp).
    private func stagedChanges() -> [String] {
        let files = FileManager.default
        func entries(_ path: String) -> [String] { ((try? files.contentsOfDirectory(atPath: url(path).path)) ?? []).sorted() }
        var staged: [String] = []
        for name in entries("/tmp/.uci") where !(read("/tmp/.uci/\(name)").content ?? []).isEmpty {
            staged.append("uncommitted uci changes in /tmp/.uci/\(name)")
        }
        for run in ["/var/run/rpcd", "/tmp/run/rpcd"] {
            for name in entries(run) where name.hasPrefix("uci-") && !entries("\(run)/\(name)").isEmpty {
                staged.append("a LuCI session's staged changes in \(run)/\(name)")
            }
            if files.fileExists(atPath: url("\(run)/snapshot-files").path) {
                staged.append("a LuCI apply waiting for confirmation (\(run)/snapshot-files)")
            }
        }
        return staged
    }

    private func readLock() -> LockInfo? {
        guard let owner = text("\(Shell.lock)/owner") else { return nil }
        let parts = owner.split(separator: "\n").map(String.init)
        return LockInfo(
            owner: parts.first ?? "unknown", pid: parts.count > 1 ? parts[1] : "?",
            since: parts.count > 2 ? Int(parts[2]) ?? 0 : 0, runID: parts.count > 3 ? parts[3] : "?")
    }

    public func write(_ transaction: WriteTransaction) async throws -> WriteOutcome {
        let lock = url(Shell.lock)
        try FileManager.default.createDirectory(at: lock.deletingLastPathComponent(), withIntermediateDirectories: true)
        if transaction.breakLock { try? FileManager.default.removeItem(at: lock) }
        if mkdir(lock.path, 0o700) != 0 {
            return .locked(readLock() ?? LockInfo(owner: "unknown", pid: "?", since: 0, runID: "?"))
        }
        let now = Int(Date().timeIntervalSince1970)
        try Data("\(transaction.owner)\n\(getpid())\n\(now)\n\(transaction.runID)\n".utf8).write(to: lock.appendingPathComponent("owner"))
        let changed = transaction.files.filter { read($0.path).hash != $0.expectedHash }.map(\.path)
        if !changed.isEmpty {
            try? FileManager.default.removeItem(at: lock)
            return .changed(changed)
        }
        let journal = Shell.journal(transaction.runID)
        do {
            try FileManager.default.createDirectory(at: url(journal + "/files"), withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try store(journal + "/run.json", FileState(content: transaction.journal, mode: "0600"))
            try store(journal + "/kind", FileState(content: Array("\(transaction.kind)\n".utf8), mode: "0600"))
            try store(journal + "/summary", FileState(content: Array("\(transaction.summary)\n".utf8), mode: "0600"))
            try store(journal + "/paths", FileState(content: Array(transaction.files.map { $0.path + "\n" }.joined().utf8), mode: "0600"))
            try store(journal + "/status", FileState(content: Array("writing\n".utf8), mode: "0600"))
            // Copies are 0600 whatever the file's own mode (they may hold secrets); the mode and
            // owner to restore are beside each, as on a router.
            for (index, file) in transaction.files.enumerated() {
                let old = read(file.path)
                guard old.exists else { continue }
                try store("\(journal)/files/\(index)", FileState(content: old.content, mode: "0600", owner: old.owner))
                try store("\(journal)/files/\(index).meta", FileState(content: Array("\(old.mode) \(old.owner)\n".utf8), mode: "0600"))
            }
            for file in transaction.files { try store(file.path, file.new) }
            try store(journal + "/status", FileState(content: Array("pending\n".utf8), mode: "0600"))
        } catch {
            try? restoreFiles(runID: transaction.runID)
            try? FileManager.default.removeItem(at: lock)
            return .failed("\(error)")
        }
        return .written
    }

    public func reload(_ request: ReloadRequest) async throws -> ReloadOutcome { .skipped }

    public func finish(_ request: FinishRequest) async throws -> FinishOutcome {
        let results = request.checks.map { CheckResult(description: $0.description, status: .skip) }
        if request.confirm {
            try store(Shell.journal(request.runID) + "/status", FileState(content: Array("done\n".utf8), mode: "0600"))
            if let undone = request.rolledBackRun {
                try store(Shell.journal(undone) + "/status", FileState(content: Array("rolled-back\n".utf8), mode: "0600"))
            }
            try? FileManager.default.removeItem(at: url(Shell.lock))
        }
        return FinishOutcome(results: results, confirmed: request.confirm)
    }

    public func restore(runID: String, status: String) async throws {
        try restoreFiles(runID: runID)
        try store(Shell.journal(runID) + "/status", FileState(content: Array("\(status)\n".utf8), mode: "0600"))
        try? FileManager.default.removeItem(at: url(Shell.lock))
    }

    private func restoreFiles(runID: String) throws {
        let journal = Shell.journal(runID)
        guard let paths = text(journal + "/paths") else { throw EngineError(.notFound, "run \(runID) has no journal in \(name)") }
        for (index, path) in paths.split(separator: "\n").map(String.init).enumerated() {
            var copy = read("\(journal)/files/\(index)")
            let meta = (text("\(journal)/files/\(index).meta") ?? "").split(separator: " ").map(String.init)
            if meta.count == 2 { (copy.mode, copy.owner) = (meta[0], meta[1]) }
            try store(path, copy)
        }
    }
}

extension String {
    var trimmingNewlines: String {
        var text = Substring(self)
        while text.last == "\n" || text.last == "\r" { text.removeLast() }
        return String(text)
    }
}
