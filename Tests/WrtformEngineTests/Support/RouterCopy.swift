import Foundation

/// A throwaway copy of a router fixture's root filesystem (Fixtures/routers/NAME), for the local target.
struct RouterCopy {
    let root: URL

    static var fixtures: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/routers")
    }

    init(_ fixture: String = "openwrt-24.10") throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("wrtform-root-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: Self.fixtures.appendingPathComponent(fixture), to: root)
    }

    func read(_ path: String) -> String {
        (try? String(contentsOf: root.appendingPathComponent(String(path.dropFirst())), encoding: .utf8)) ?? "<absent>"
    }

    func write(_ path: String, _ text: String) throws {
        let url = root.appendingPathComponent(String(path.dropFirst()))
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    /// Every file's bytes under /etc, to compare a whole tree before and after.
    func etc() -> [String: Data] {
        var result: [String: Data] = [:]
        let base = root.appendingPathComponent("etc")
        guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else { return [:] }
        for case let url as URL in walker where !url.path.contains("/etc/wrtform/runs") {
            if let data = FileManager.default.contents(atPath: url.path), !url.hasDirectoryPath {
                result[url.path.replacingOccurrences(of: root.path, with: "")] = data
            }
        }
        return result
    }

    func remove() { try? FileManager.default.removeItem(at: root) }
}
