import Foundation

/// Paths inside a `--root` directory, resolved as the router would see them: every symbolic link
/// is followed with DIR as `/` (an absolute target means DIR/target, `..` stops at DIR), so no
/// link in an extracted backup — `/var` → `/tmp`, `/etc/hotplug.d/iface` → anywhere — can lead a
/// read or a write outside DIR.
public enum RootPath {
    /// The path, inside `root`, that `path` leads to once every link is followed (a tail that does
    /// not exist yet is kept as written); nil on a link loop (more than 40 links).
    public static func resolve(_ path: String, in root: String) -> String? {
        var pending = components(path)
        var resolved: [String] = []
        var links = 0
        while !pending.isEmpty {
            let name = pending.removeFirst()
            if name == "." { continue }
            if name == ".." {
                if !resolved.isEmpty { resolved.removeLast() }
                continue
            }
            let candidate = root + "/" + (resolved + [name]).joined(separator: "/")
            if let target = linkText(candidate) {
                links += 1
                guard links <= 40 else { return nil }
                if target.hasPrefix("/") { resolved = [] }
                pending = components(target) + pending
            } else {
                resolved.append(name)
            }
        }
        return "/" + resolved.joined(separator: "/")
    }

    /// The URL `path` leads to inside `root` (see `resolve`); nil on a link loop.
    public static func url(_ path: String, in root: URL) -> URL? {
        let base = root.standardizedFileURL.path
        return resolve(path, in: base == "/" ? "" : base).map { URL(fileURLWithPath: (base == "/" ? "" : base) + $0) }
    }

    /// A symbolic link's own text, or nil when `path` is not a link.
    static func linkText(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func components(_ path: String) -> [String] {
        path.split(separator: "/").map(String.init)
    }
}
