import Foundation

/// Finds Fixtures/routers/ — from `WRTFORM_FIXTURES` when set (the Fixtures directory or its
/// routers/ directory), else next to this package's sources (a test run's working directory
/// is not reliably the package root).
enum FixtureLocator {
    static let environmentVariable = "WRTFORM_FIXTURES"

    static func routersDirectory() -> URL {
        if let override = ProcessInfo.processInfo.environment[environmentVariable], !override.isEmpty {
            let base = URL(fileURLWithPath: override, isDirectory: true)
            let routers = base.appendingPathComponent("routers", isDirectory: true)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: routers.path, isDirectory: &isDirectory), isDirectory.boolValue {
                return routers
            }
            return base
        }
        // This file is Sources/VirtualRouter/Core/FixtureLocator.swift.
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent() // Core
            .deletingLastPathComponent() // VirtualRouter
            .deletingLastPathComponent() // Sources
            .deletingLastPathComponent() // package root
            .appendingPathComponent("Fixtures/routers", isDirectory: true)
    }

    static func fixture(named name: String) throws -> URL {
        let directory = routersDirectory()
        let fixture = directory.appendingPathComponent(name, isDirectory: true)
        var isDirectory: ObjCBool = false
        guard !name.isEmpty, !name.contains("/"),
            FileManager.default.fileExists(atPath: fixture.path, isDirectory: &isDirectory), isDirectory.boolValue
        else {
            let known = (try? FileManager.default.contentsOfDirectory(atPath: directory.path))?.sorted() ?? []
            throw VirtualRouterError(
                .fixtureMissing, "no router fixture '\(name)' in \(directory.path)",
                remedy: known.isEmpty
                    ? "set \(environmentVariable) to the Fixtures directory"
                    : "use one of: \(known.joined(separator: ", "))")
        }
        return fixture
    }
}
