import WrtformUCI

/// Reads `SnapshotScript`'s answer strictly: a line with an unknown tag, a number out of range, a
/// record cut short or a field that is not what it must be is an error naming the line — never
/// skipped, never guessed at. Counts from the router are checked before any arithmetic.
struct SnapshotParser {
    private var reader: LineReader
    private let probes: [RouterProbe]
    /// Where the line being read starts, for errors.
    private var lineStart = 0
    private var line = ""

    init(bytes: [UInt8], probes: [RouterProbe]) {
        reader = LineReader(bytes: bytes)
        self.probes = probes
    }

    private static let tools = Set(Facts.probedTools)
    private static let maxTime = 1 << 40

    mutating func parse(requested: Set<String>) throws -> SnapshotScript.Output {
        guard reader.line() == SnapshotScript.version else {
            throw EngineError(
                .router, "the router's answer to the snapshot was not understood",
                hint: "is this an OpenWrt router with busybox?")
        }
        var files: [String: FileState] = [:]
        var facts = Facts()
        var staged: [String] = []
        var lock: LockInfo?
        var runs: [RunSummary] = []
        var connected: String?
        var time: Int?
        var journalRun: String?
        var journalBytes: [UInt8]?
        var probeResults: [String: ProbeResult] = [:]
        for tool in Facts.probedTools { facts.tools[tool] = false }
        while true {
            lineStart = reader.offset
            guard let next = reader.line() else { throw cutShort() }
            line = next
            if line == "END" { break }
            let fields = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            switch fields[0] {
            case "T":
                time = try number(fields, 1, of: 2, in: 0...Self.maxTime)
            case "X":
                guard fields.count == 2 else { throw malformed("expected one tool name") }
                if fields[1] == "opkg" || fields[1] == "apk" {
                    facts.packageManager = fields[1]
                } else if Self.tools.contains(fields[1]) {
                    facts.tools[fields[1]] = true
                } else {
                    throw malformed("'\(fields[1])' is not a tool wrtform asked about")
                }
            case "H":
                let items = try items(try blob(fields))
                guard items.count == 1 else { throw malformed("expected one hostname") }
                facts.hostname = items[0]
            case "C":
                facts.configs = try items(try blob(fields))
            case "S":
                let items = try items(try blob(fields))
                guard items.count % 2 == 0 else { throw malformed("staged changes come in pairs") }
                for pair in stride(from: 0, to: items.count, by: 2) {
                    let place = Self.visible(items[pair + 1])
                    switch items[pair] {
                    case "uci": staged.append("uncommitted uci changes in \(place)")
                    case "luci": staged.append("a LuCI session's staged changes in \(place)")
                    case "apply": staged.append("a LuCI apply waiting for confirmation (\(place))")
                    default: throw malformed("unknown kind of staged change '\(Self.visible(items[pair]))'")
                    }
                }
            case "L":
                let parts = try items(try blob(fields))
                guard parts.count == 4 else { throw malformed("a lock names an owner, a pid, a time and a run") }
                lock = LockInfo(
                    owner: parts.first.flatMap { $0.isEmpty ? nil : $0 } ?? "unknown",
                    pid: parts.count > 1 ? parts[1] : "?",
                    since: parts.count > 2 ? Int(parts[2]) ?? 0 : 0, runID: parts.count > 3 ? parts[3] : "?")
            case "N":
                let items = try items(try blob(fields))
                guard items.count % 3 == 0 else { throw malformed("each run has an id, a status and a summary") }
                for index in stride(from: 0, to: items.count, by: 3) where Shell.isValidRunID(items[index]) {
                    let summary = RunSummaryLine.parse(items[index + 2])
                    runs.append(
                        RunSummary(
                            id: items[index], status: RunStatus(rawValue: items[index + 1]) ?? .unknown,
                            time: summary.time,
                            playbook: summary.playbook, files: summary.files))
                }
            case "E":
                let items = try items(try blob(fields))
                guard items.count == 1 else { throw malformed("expected one connection") }
                let parts = items[0].split(separator: " ")
                connected = parts.count == 4 ? String(parts[2]) : nil
            case "D":
                facts.devices = try items(try blob(fields)).sorted()
            case "F":
                let (path, state) = try file(fields)
                files[path] = state
                if let journalRun, path == "\(Shell.journal(journalRun))/run.json" { journalBytes = state.content }
            case "P":
                let index = try number(fields, 1, of: 4, in: 0...max(0, probes.count - 1))
                let status = try number(fields, 2, of: 4, in: 0...255)
                let output = try counted(try number(fields, 3, of: 4, in: 0...Int.max))
                guard probes.indices.contains(index) else { throw malformed("no probe has index \(index)") }
                probeResults[probes[index].name] = ProbeResult(
                    status: Int32(status), output: String(decoding: output, as: UTF8.self))
            case "J":
                let run = try items(try blob(fields)).first ?? ""
                guard Shell.isValidRunID(run) else { throw malformed("'\(Self.visible(run))' is not a run id") }
                journalRun = run
            case "Z":
                _ = try blob(fields)
                journalRun = nil
            default:
                throw malformed("unknown tag")
            }
        }
        guard reader.offset == reader.bytes.count else {
            lineStart = reader.offset
            line = reader.line() ?? ""
            throw malformed("nothing may follow END")
        }
        if let release = files.removeValue(forKey: "/etc/openwrt_release")?.content {
            facts.release = ReleaseFile.parse(String(decoding: release, as: UTF8.self))
        }
        if let network = files[ConfigFile.network]?.content,
            let text = String(validating: network, as: UTF8.self), let file = try? UCIFile(parsing: text)
        {
            facts.declaredDevices = file.sections(ofType: "device").compactMap { $0["name"]?.items.first }
        }
        if let journalRun { files.removeValue(forKey: "\(Shell.journal(journalRun))/run.json") }
        var snapshot = Snapshot(
            files: files, facts: facts, stagedChanges: staged, lock: lock, runs: runs, connectedAddress: connected,
            routerTime: time)
        snapshot.probes = probeResults
        return SnapshotScript.Output(snapshot: snapshot, journalRun: journalRun, journalBytes: journalBytes)
    }

    /// `F KIND LEADS SIZE MODE UID GID`, then path, link text and real path NUL-terminated, then
    /// SIZE bytes of content and a newline.
    private mutating func file(_ fields: [String]) throws -> (String, FileState) {
        guard fields.count == 7, let kind = FileState.Kind(rawValue: fields[1]),
            let leads = FileState.Kind(rawValue: fields[2]), leads != .symlink
        else { throw malformed("expected a file's kind, what it leads to, size, mode and owner") }
        let size = try number(fields, 3, of: 7, in: 0...Int.max)
        guard let path = reader.cString(), let link = reader.cString(), let real = reader.cString() else {
            throw cutShort()
        }
        let text = String(decoding: path, as: UTF8.self)
        let content = try counted(size)
        var state = FileState(content: nil)
        if leads == .regular {
            guard let mode = FileMode.strictOctal(fields[4]) else {
                throw malformed("'\(fields[4])' is not a file mode")
            }
            let uid = try number(fields, 5, of: 7, in: 0...Int(UInt32.max))
            let gid = try number(fields, 6, of: 7, in: 0...Int(UInt32.max))
            state = FileState(content: content, mode: mode, owner: "\(uid):\(gid)")
        } else if size != 0 {
            throw malformed("only a regular file has content")
        }
        state.kind = kind
        if !link.isEmpty { state.link = String(decoding: link, as: UTF8.self) }
        let realPath = String(decoding: real, as: UTF8.self)
        if realPath.isEmpty { state.unresolvable = true } else if realPath != text { state.realPath = realPath }
        return (text, state)
    }

    /// `TAG LENGTH`, then LENGTH bytes and a newline.
    private mutating func blob(_ fields: [String]) throws -> [UInt8] {
        try counted(try number(fields, 1, of: 2, in: 0...Int.max))
    }

    private mutating func counted(_ size: Int) throws -> [UInt8] {
        guard let bytes = reader.bytes(size), reader.bytes(1) == [0x0A] else { throw cutShort() }
        return bytes
    }

    /// Items `LENGTH:BYTES`, back to back.
    private func items(_ bytes: [UInt8]) throws -> [String] {
        var items: [String] = []
        var offset = 0
        while offset < bytes.count {
            var end = offset
            while end < bytes.count, bytes[end] >= 0x30, bytes[end] <= 0x39, end - offset < 10 { end += 1 }
            guard end > offset, end < bytes.count, bytes[end] == UInt8(ascii: ":"),
                let length = Int(String(decoding: bytes[offset..<end], as: UTF8.self)), length <= bytes.count - end - 1
            else { throw malformed("an item is not LENGTH:BYTES (at byte \(offset) of the record)") }
            items.append(String(decoding: bytes[(end + 1)..<(end + 1 + length)], as: UTF8.self))
            offset = end + 1 + length
        }
        return items
    }

    private func number(_ fields: [String], _ index: Int, of count: Int, in range: ClosedRange<Int>) throws -> Int {
        guard fields.count == count else { throw malformed("expected \(count - 1) field(s)") }
        let text = fields[index]
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = Int(text),
            range.contains(value)
        else {
            throw malformed("'\(Self.visible(text))' is not a number in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    private func lineNumber() -> Int {
        reader.bytes[..<min(lineStart, reader.bytes.count)].reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
    }

    private func malformed(_ what: String) -> EngineError {
        let excerpt = Self.visible(String(line.prefix(60)))
        return EngineError(
            .router, "the router's snapshot is malformed at line \(lineNumber()) ('\(excerpt)'): \(what)",
            hint: "is this an OpenWrt router with busybox? nothing was changed")
    }

    private func cutShort() -> EngineError {
        EngineError(.router, "the router's snapshot was cut short (line \(lineNumber()))", hint: "try again")
    }

    /// Control characters shown as escapes, so a name cannot move the terminal's cursor.
    static func visible(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value)
                || scalar == "\u{2028}" || scalar == "\u{2029}"
            {
                out +=
                    scalar.value <= 0xFF
                    ? "\\x" + String(scalar.value, radix: 16).leftPadded(2)
                    : "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

extension LineReader {
    /// Bytes up to the next NUL (which is consumed), or nil if there is none.
    mutating func cString() -> [UInt8]? {
        guard let end = bytes[offset...].firstIndex(of: 0) else { return nil }
        defer { offset = end + 1 }
        return Array(bytes[offset..<end])
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
