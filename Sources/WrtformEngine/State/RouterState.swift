import WrtformUCI

/// The files steps read and change, held in memory: plans run every check here, locally,
/// on one snapshot read in a single round trip.
public struct RouterState: Sendable {
    public private(set) var files: [String: FileState]
    private var parsed: [String: UCIFile] = [:]
    /// What is installed (nil: not read, as on a directory target).
    public var packages: PackageDatabase?
    /// The init scripts service steps name, as the snapshot read them.
    public var services: [String: ServiceState] = [:]
    /// Packages this plan installs so far (a service step may name the script one brings).
    public var packagesInstalling: Set<String> = []

    public init(files: [String: FileState]) {
        self.files = files
    }

    /// The files of `snapshot`, with the packages and services its probes read.
    public init(snapshot: Snapshot) {
        self.files = snapshot.files
        packages = PackageDatabase(probe: snapshot.probes[PackageDatabase.probeName])
        for (name, result) in snapshot.probes where name.hasPrefix(ServiceState.probeName("")) {
            if let state = ServiceState(probe: result) {
                services[String(name.dropFirst(ServiceState.probeName("").count))] = state
            }
        }
    }

    public func file(_ path: String) -> FileState {
        files[path] ?? .absent
    }

    /// The parsed UCI file at `path` (an absent file is an empty one).
    public mutating func uci(_ path: String) throws -> UCIFile {
        if let cached = parsed[path] { return cached }
        let state = file(path)
        let document: UCIFile
        if let content = state.content {
            guard let text = String(validating: content, as: UTF8.self) else {
                throw EngineError(
                    .router, "\(path) is not valid UTF-8",
                    hint: "fix the file on the router; wrtform will not rewrite it")
            }
            do {
                document = try UCIFile(parsing: text, path: path)
            } catch {
                throw EngineError(
                    .router, "\(error)",
                    hint: "fix \(path) on the router first; wrtform will not rewrite a file uci cannot read")
            }
        } else {
            document = UCIFile()
        }
        parsed[path] = document
        return document
    }

    /// Edits the UCI file at `path`, keeping the text in step with the model.
    @discardableResult
    public mutating func editUCI<T>(_ path: String, _ body: (inout UCIFile) throws -> T) throws -> T {
        var document = try uci(path)
        let result = try body(&document)
        parsed[path] = document
        var state = file(path)
        state.content = Array(document.text.utf8)
        if !file(path).exists {
            state.mode = "0644"
            state.owner = "0:0"
        }
        files[path] = state
        return result
    }

    /// Replaces a whole file (plain files: rt_tables, scripts). Where the path leads (a link, a
    /// linked directory) stays as the router has it: the bytes go through the link.
    public mutating func write(_ path: String, _ state: FileState) {
        parsed[path] = nil
        files[path] = state.located(like: file(path))
    }

    /// Refuses a change to a file that cannot be written safely: a link leading out of /etc, a
    /// dangling link, a directory. Called on every file a plan would change, before anything is written.
    public static func refuseUnwritable(_ changes: [(path: String, old: FileState)]) throws {
        for change in changes {
            if let reason = change.old.refusal(for: change.path) {
                throw EngineError(
                    .invalidInput, "\(reason): wrtform will not write it; nothing was written",
                    hint:
                        "make \(change.path) a regular file (or a link to a regular file inside /etc) on the router first"
                )
            }
        }
    }

    public var paths: [String] { files.keys.sorted() }
}
