import Foundation
import Testing

@testable import WrtformEngine

/// Snapshot paths given as patterns: only `*` components and safe bytes go to the shell unquoted.
@Suite struct SnapshotGlobTests {
    @Test func onlySafePatternsArePatterns() {
        #expect(SnapshotGlob.pattern("/etc/hotplug.d/*/*") == "/etc/hotplug.d/*/*")
        #expect(SnapshotGlob.pattern("/etc/config/*") == "/etc/config/*")
        #expect(SnapshotGlob.pattern("/etc/config/network") == nil)
        for unsafe in ["/etc/$(reboot)/*", "/etc/a b/*", "/etc/*x", "/etc/../*", "etc/*", "/etc/`id`/*", "/etc/a;b/*"] {
            #expect(SnapshotGlob.pattern(unsafe) == nil, "\(unsafe)")
        }
        // An unsafe pattern is read as one quoted path, never expanded by the shell.
        #expect(SnapshotScript.make(paths: ["/etc/$(reboot)/*"], run: nil).contains("emit '/etc/$(reboot)/*'"))
    }

    @Test func aDirectoryTargetExpandsLikeTheShell() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("glob-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        for path in [
            "etc/hotplug.d/iface/40-a", "etc/hotplug.d/iface/.keep", "etc/hotplug.d/net/10-b", "etc/hotplug.d/top",
        ] {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data("x".utf8).write(to: url)
        }
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("etc/hotplug.d/iface/subdir"), withIntermediateDirectories: true)
        let snapshot = try await LocalDirectoryTarget(root: root).snapshot(paths: ["/etc/hotplug.d/*/*"], run: nil)
        #expect(snapshot.files.keys.sorted() == ["/etc/hotplug.d/iface/40-a", "/etc/hotplug.d/net/10-b"])
    }
}
