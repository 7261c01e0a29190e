/// Paths on the router, as steps name them and journals record them. Checked as BYTES (a `'` with
/// a combining mark is one Character; "\r\n" is one Character), normalised once — runs of `/`
/// collapsed, `.` and `..` segments refused — so every later check (the uci gate, the reload of
/// /etc/config, the write script's) sees the one spelling the router's kernel resolves.
public enum RouterPath {
    /// Where wrtform never writes a file a step or a journal names: its own journals, lock and boot
    /// hook (a file step or an edited journal must not forge a run), and the kernel's filesystems.
    static let reserved = ["/etc/wrtform/runs", "/var/lock/wrtform", "/tmp/lock/wrtform", "/proc", "/sys", "/dev"]
    static let reservedFiles = [JournalScripts.bootHookPath]

    /// The bytes a path may hold: letters, digits and / . _ - + @ (no spaces, quotes, controls, DEL,
    /// nor anything beyond ASCII such as U+2028).
    static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "/._-+@".utf8.contains(byte)
        }
    }

    public enum Problem: Error, Equatable {
        case notAbsolute
        case characters
        case dotSegment
        case reserved(String)
    }

    /// `path` with runs of `/` collapsed (and a trailing `/` kept only when `directory`), or the
    /// first thing wrong with it.
    public static func normalise(_ path: String, directory: Bool = false) -> Result<String, Problem> {
        let bytes = Array(path.utf8)
        guard bytes.first == UInt8(ascii: "/") else { return .failure(.notAbsolute) }
        guard bytes.allSatisfy(isAllowed) else { return .failure(.characters) }
        let segments = bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true)
        if segments.contains(where: { $0.elementsEqual(".".utf8) || $0.elementsEqual("..".utf8) }) {
            return .failure(.dotSegment)
        }
        guard !segments.isEmpty else { return .failure(.notAbsolute) }
        var normal = "/" + segments.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "/")
        if directory && bytes.last == UInt8(ascii: "/") { normal += "/" }
        if let place = (reserved.first { normal == $0 || normal.utf8.starts(with: ($0 + "/").utf8) })
            ?? reservedFiles.first(where: { normal == $0 })
        {
            return .failure(.reserved(place))
        }
        return .success(normal)
    }

    /// Whether `path` is already in normal form and allowed (as a journal must record it).
    public static func isNormal(_ path: String, directory: Bool = false) -> Bool {
        (try? normalise(path, directory: directory).get()) == path
    }

    /// `/etc/config/NAME` with NAME a uci package name: the only files uci changes may touch.
    static func isUCIConfig(_ path: String) -> Bool {
        let prefix = "/etc/config/"
        guard path.utf8.starts(with: prefix.utf8) else { return false }
        let name = path.utf8.dropFirst(prefix.utf8.count)
        return !name.isEmpty && name.first != UInt8(ascii: ".")
            && name.allSatisfy {
                isAllowed($0) && $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "+") && $0 != UInt8(ascii: "@")
            }
    }

    /// One line saying what is wrong with `path` (what a step's error and the journal check say).
    static func describe(_ problem: Problem, _ path: String, what: String) -> String {
        switch problem {
        case .notAbsolute: return "\(what) '\(path)' must be an absolute file path"
        case .characters: return "\(what) '\(path)' may hold only letters, digits and / . _ - + @"
        case .dotSegment: return "\(what) '\(path)' may not hold . or .. segments"
        case .reserved(let place): return "\(what) '\(path)' is inside \(place), where wrtform writes no file"
        }
    }

    /// Why a write must not go ahead (a path not in normal form, or in a place refused), checked
    /// at the target too: the write script's uci gate and the reloads match on the normal form.
    static func abnormal(_ transaction: WriteTransaction) -> String? {
        transaction.files.first { !isNormal($0.path) }.map {
            "'\($0.path)' is not a path wrtform writes (not in normal form)"
        }
    }
}
