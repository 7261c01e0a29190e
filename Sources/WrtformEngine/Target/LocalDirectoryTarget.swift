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
            throw EngineError(
                .notFound, "\(root.path) is not a directory",
                hint: "--root takes a router's root filesystem, e.g. an extracted backup")
        }
        self.root = root
    }

    public func roundTrips() async -> Int { 0 }

    /// A directory runs no opkg, apk or init script: an image's packages are chosen when it is built.
    public func runCommands(_ request: CommandRequest) async throws -> CommandOutcome {
        throw EngineError(
            .unsupported, "\(name) cannot install packages or switch services: that needs a running router over SSH")
    }

    /// Where `path` leads inside the root (every link followed, DIR as `/`): what every read and
    /// write here goes through — files, journal, lock — so nothing is ever touched outside DIR.
    public func resolvedURL(_ path: String) -> URL? { RootPath.url(path, in: root) }

    private func url(_ path: String) throws -> URL {
        guard let url = resolvedURL(path) else {
            throw EngineError(
                .router, "\(path) in \(name) cannot be followed: a link loop", hint: "fix the links in the directory")
        }
        return url
    }

    /// A file as the snapshot reports it: what the path itself is (a link, with its text), and
    /// the bytes, mode and owner of the regular file it leads to.
    func read(_ path: String) -> FileState {
        let base = root.standardizedFileURL.path == "/" ? "" : root.standardizedFileURL.path
        var state = FileState.absent
        if let real = RootPath.resolve(path, in: base) {
            var info = stat()
            if stat(base + real, &info) == 0, info.st_mode & S_IFMT == S_IFREG,
                let data = FileManager.default.contents(atPath: base + real)
            {
                state = FileState(
                    content: Array(data), mode: "0" + String(Int(info.st_mode) & 0o7777, radix: 8),
                    owner: "\(info.st_uid):\(info.st_gid)")
            }
            if real != path {
                state.realPath = real
                // Led elsewhere by a linked directory: name the deepest such link.
                var ancestor = WriteScript.parent(of: path)
                while ancestor != "/" {
                    if let directory = RootPath.resolve(WriteScript.parent(of: ancestor), in: base),
                        let text = RootPath.linkText(
                            base + (directory == "/" ? "" : directory) + "/"
                                + (ancestor.split(separator: "/").last.map(String.init) ?? ""))
                    {
                        state.link = "\(ancestor) -> \(text)"
                        break
                    }
                    ancestor = WriteScript.parent(of: ancestor)
                }
            }
        } else {
            state.unresolvable = true
        }
        // What the path itself is: its directory resolved, its last part not.
        let parent = WriteScript.parent(of: path)
        let last = path.split(separator: "/").last.map(String.init) ?? ""
        if let directory = RootPath.resolve(parent, in: base) {
            let own = base + (directory == "/" ? "" : directory) + "/" + last
            var info = stat()
            if lstat(own, &info) == 0 {
                switch info.st_mode & S_IFMT {
                case S_IFLNK:
                    state.kind = .symlink
                    state.link = RootPath.linkText(own)
                case S_IFDIR: state.kind = .directory
                case S_IFREG: state.kind = .regular
                default: state.kind = .other
                }
            } else {
                state.kind = .absent
            }
        }
        return state
    }

    func store(_ path: String, _ state: FileState) throws {
        let location = try url(path)
        guard let content = state.content else {
            if FileManager.default.fileExists(atPath: location.path) {
                try FileManager.default.removeItem(at: location)
            }
            return
        }
        try FileManager.default.createDirectory(
            at: location.deletingLastPathComponent(), withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o755])
        let temp = location.deletingLastPathComponent().appendingPathComponent(
            ".\(location.lastPathComponent).wrtform-\(UUID().uuidString.prefix(8))")
        // Private from the start (the bytes may be a secret), its own mode only just before the rename.
        let fd = open(temp.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw EngineError(.router, "cannot write \(temp.path): \(String(cString: strerror(errno)))")
        }
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
                    [.ownerAccountID: NSNumber(value: ids[0]), .groupOwnerAccountID: NSNumber(value: ids[1])],
                    ofItemAtPath: temp.path)
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
        // The id becomes a directory name under the tree: `../../x` must not reach outside it.
        if let run, run != "last" { try RunJournal.checkID(run) }
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
            configs: ((try? FileManager.default.contentsOfDirectory(atPath: try url("/etc/config").path)) ?? []).filter
            { !$0.hasPrefix(".") }.sorted())
        // What the image holds, as `command -v` would find it on the router's PATH.
        let path = ["/usr/sbin", "/usr/bin", "/sbin", "/bin"]
        func installed(_ tool: String) -> Bool {
            path.contains {
                (try? url("\($0)/\(tool)")).map { FileManager.default.fileExists(atPath: $0.path) } ?? false
            }
        }
        for tool in Facts.probedTools { facts.tools[tool] = installed(tool) }
        if let manager = ["apk", "opkg"].first(where: installed) { facts.packageManager = manager }
        if let network = read(ConfigFile.network).content,
            let file = try? UCIFile(parsing: String(decoding: network, as: UTF8.self))
        {
            facts.declaredDevices = file.sections(ofType: "device").compactMap { $0["name"]?.items.first }
        }
        let staged = stagedChanges()
        let runIDs = ((try? FileManager.default.contentsOfDirectory(atPath: try url(Shell.runs).path)) ?? []).sorted()
            .filter(Shell.isValidRunID)
        let runs = runIDs.map { id -> RunSummary in
            let summary = RunSummaryLine.parse(text("\(Shell.journal(id))/summary") ?? "")
            return RunSummary(
                id: id, status: RunStatus(rawValue: text("\(Shell.journal(id))/status") ?? "") ?? .unknown,
                time: summary.time, playbook: summary.playbook, files: summary.files)
        }
        var snapshot = Snapshot(files: files, facts: facts, stagedChanges: staged, lock: readLock(), runs: runs)
        if let run {
            let chosen =
                run == "last"
                ? runIDs.last {
                    text("\(Shell.journal($0))/kind") == "apply" && text("\(Shell.journal($0))/status") != "aborted"
                }
                : run
            if let chosen, let bytes = read("\(Shell.journal(chosen))/run.json").content {
                // Checked before any path in it is read: the tree's journal is input too.
                let journal = try RunJournal.decode(bytes, run: chosen)
                snapshot.journal = journal
                for file in journal.files where snapshot.files[file.path] == nil {
                    snapshot.files[file.path] = read(file.path)
                }
            }
        }
        return snapshot
    }

    /// The same three signs of someone else mid-change as on a router: uci staging, a LuCI
    /// session's staging, a LuCI apply waiting for confirmation (/var may be a link to /tmp).
    private func stagedChanges() -> [String] {
        let files = FileManager.default
        func entries(_ path: String) -> [String] {
            ((try? files.contentsOfDirectory(atPath: try url(path).path)) ?? []).sorted()
        }
        var staged: [String] = []
        for name in entries("/tmp/.uci") where !(read("/tmp/.uci/\(name)").content ?? []).isEmpty {
            staged.append("uncommitted uci changes in /tmp/.uci/\(name)")
        }
        for run in ["/var/run/rpcd", "/tmp/run/rpcd"] {
            for name in entries(run) where name.hasPrefix("uci-") && !entries("\(run)/\(name)").isEmpty {
                staged.append("a LuCI session's staged changes in \(run)/\(name)")
            }
            if (try? url("\(run)/snapshot-files")).map({ files.fileExists(atPath: $0.path) }) == true {
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
        if let refused = RouterPath.abnormal(transaction) { return .failed(refused) }
        let lock = try url(Shell.lock)
        try FileManager.default.createDirectory(at: lock.deletingLastPathComponent(), withIntermediateDirectories: true)
        if transaction.breakLock { try? FileManager.default.removeItem(at: lock) }
        if mkdir(lock.path, 0o700) != 0 {
            return .locked(readLock() ?? LockInfo(owner: "unknown", pid: "?", since: 0, runID: "?"))
        }
        let now = Int(Date().timeIntervalSince1970)
        try Data("\(transaction.owner)\n\(getpid())\n\(now)\n\(transaction.runID)\n".utf8).write(
            to: lock.appendingPathComponent("owner"))
        // As on a router: each path must still lead where the plan saw it lead, and be writable.
        let changed = transaction.files.filter {
            let now = read($0.path)
            return now.hash != $0.expectedHash || now.writePath(for: $0.path) != $0.new.writePath(for: $0.path)
        }.map(\.path)
        if let refusal = transaction.files.lazy.compactMap({ self.read($0.path).refusal(for: $0.path) }).first {
            try? FileManager.default.removeItem(at: lock)
            return .failed(refusal)
        }
        if !changed.isEmpty {
            try? FileManager.default.removeItem(at: lock)
            return .changed(changed)
        }
        let journal = Shell.journal(transaction.runID)
        do {
            try FileManager.default.createDirectory(
                at: try url(journal + "/files"), withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
            try store(journal + "/run.json", FileState(content: transaction.journal, mode: "0600"))
            try store(journal + "/kind", FileState(content: Array("\(transaction.kind)\n".utf8), mode: "0600"))
            try store(journal + "/summary", FileState(content: Array("\(transaction.summary)\n".utf8), mode: "0600"))
            try store(
                journal + "/paths",
                FileState(content: Array(transaction.files.map { $0.path + "\n" }.joined().utf8), mode: "0600"))
            try store(journal + "/status", FileState(content: Array("writing\n".utf8), mode: "0600"))
            // Copies are 0600 whatever the file's own mode (they may hold secrets); the mode and
            // owner to restore are beside each, as on a router.
            for (index, file) in transaction.files.enumerated() {
                let old = read(file.path)
                guard old.exists else { continue }
                try store("\(journal)/files/\(index)", FileState(content: old.content, mode: "0600", owner: old.owner))
                try store(
                    "\(journal)/files/\(index).meta",
                    FileState(content: Array("\(old.mode) \(old.owner)\n".utf8), mode: "0600"))
            }
            // Directories made here are noted (deepest first), for a restore to remove again.
            var made: [String] = []
            for file in transaction.files where file.new.content != nil {
                var directory = WriteScript.parent(of: try url(file.path).path)
                while directory.count > root.standardizedFileURL.path.count,
                    !FileManager.default.fileExists(atPath: directory)
                {
                    if !made.contains(directory) { made.append(directory) }
                    directory = WriteScript.parent(of: directory)
                }
            }
            let relative = made.map {
                String($0.dropFirst(root.standardizedFileURL.path == "/" ? 0 : root.standardizedFileURL.path.count))
            }
            try store(
                journal + "/dirs", FileState(content: Array(relative.map { $0 + "\n" }.joined().utf8), mode: "0600"))
            for file in transaction.files { try store(file.path, file.new) }
            if let undone = transaction.undoing, Shell.isValidRunID(undone) {
                // A rollback: directories the undone run made go too, once empty (only under /etc).
                for directory in (text(Shell.journal(undone) + "/dirs") ?? "").split(separator: "\n")
                where directory.hasPrefix("/etc/") {
                    if let location = resolvedURL(String(directory)) { rmdir(location.path) }
                }
            }
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
                try store(
                    Shell.journal(undone) + "/status", FileState(content: Array("rolled-back\n".utf8), mode: "0600"))
            }
            if let lock = resolvedURL(Shell.lock) { try? FileManager.default.removeItem(at: lock) }
        }
        return FinishOutcome(results: results, confirmed: request.confirm)
    }

    public func restore(runID: String, status: String) async throws {
        try restoreFiles(runID: runID)
        try store(Shell.journal(runID) + "/status", FileState(content: Array("\(status)\n".utf8), mode: "0600"))
        if let lock = resolvedURL(Shell.lock) { try? FileManager.default.removeItem(at: lock) }
    }

    private func restoreFiles(runID: String) throws {
        let journal = Shell.journal(runID)
        guard let paths = text(journal + "/paths") else {
            throw EngineError(.notFound, "run \(runID) has no journal in \(name)")
        }
        for (index, path) in paths.split(separator: "\n").map(String.init).enumerated() {
            var copy = read("\(journal)/files/\(index)")
            let meta = (text("\(journal)/files/\(index).meta") ?? "").split(separator: " ").map(String.init)
            if meta.count == 2 { (copy.mode, copy.owner) = (meta[0], meta[1]) }
            try store(path, copy)
        }
        // Directories the run made go too, once empty: absent stays absent.
        for directory in (text(journal + "/dirs") ?? "").split(separator: "\n") {
            if let location = resolvedURL(String(directory)) { rmdir(location.path) }
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
