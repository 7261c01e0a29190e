import Foundation

/// `~/` in paths the user gave, both ways: expanded to open files, abbreviated in messages.
enum LocalPath {
    static var home: String {
        ProcessInfo.processInfo.environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
    }

    static func expand(_ path: String) -> String {
        if path == "~" { return home }
        if path.hasPrefix("~/") { return home + path.dropFirst(1) }
        return path
    }

    /// `/root/.ssh/id_ed25519` → `~/.ssh/id_ed25519`, as the user would type it.
    static func abbreviate(_ path: String) -> String {
        let expanded = expand(path)
        let prefix = home.hasSuffix("/") ? home : home + "/"
        if expanded.hasPrefix(prefix) { return "~/" + expanded.dropFirst(prefix.count) }
        return expanded
    }
}
