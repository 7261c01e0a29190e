import Foundation

/// A snapshot path may name files by a pattern (`/etc/hotplug.d/*/*`, `/etc/config/*`), for reads
/// that cannot know the names in advance (import) and must still be one round trip. Only `*` as a
/// whole path component, and only safe bytes, so the pattern can go to the shell unquoted.
enum SnapshotGlob {
    /// The pattern to hand to the shell, or nil when `path` is a plain path.
    static func pattern(_ path: String) -> String? {
        guard path.utf8.contains(UInt8(ascii: "*")), path.hasPrefix("/") else { return nil }
        let components = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        let safe = components.allSatisfy { component in
            component == "*"
                || (!component.isEmpty && component != ".."
                    && component.utf8.allSatisfy { byte in
                        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A)
                            || (byte >= 0x61 && byte <= 0x7A)
                            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
                    })
        }
        return safe ? path : nil
    }

    /// The regular files under `root` the pattern names, as router paths, the way the shell lists them
    /// (dot files left out, in name order).
    static func expand(_ path: String, under root: URL) -> [String] {
        let files = FileManager.default
        var found = ["/"]
        for component in path.split(separator: "/").map(String.init) {
            var next: [String] = []
            for base in found {
                let names: [String]
                if component == "*" {
                    let directory = root.appendingPathComponent(String(base.dropFirst())).path
                    names = ((try? files.contentsOfDirectory(atPath: directory)) ?? []).filter { !$0.hasPrefix(".") }
                        .sorted()
                } else {
                    names = [component]
                }
                next += names.map { base == "/" ? "/\($0)" : "\(base)/\($0)" }
            }
            found = next
        }
        return found.filter { candidate in
            var isDirectory: ObjCBool = false
            let local = root.appendingPathComponent(String(candidate.dropFirst())).path
            return files.fileExists(atPath: local, isDirectory: &isDirectory) && !isDirectory.boolValue
        }
    }
}
