import Foundation
import Testing
import WrtformEngine
import WrtformPlaybook

/// Paths of the package the loader tests read: the sample playbooks, fixtures, router trees.
enum LoaderPaths {
    static var tests: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent() }
    static var fixtures: URL { tests.appendingPathComponent("Fixtures") }
    static var package: URL { tests.deletingLastPathComponent().deletingLastPathComponent() }
    static var playbooks: URL { package.appendingPathComponent("Playbooks") }
    static var routers: URL { package.appendingPathComponent("Fixtures/routers") }

    static func playbook(_ name: String) -> String { playbooks.appendingPathComponent(name).path }
    static func fixture(_ name: String) -> String { fixtures.appendingPathComponent(name).path }
}

/// Secret values no error may ever quote: quotes, `$(…)` and backticks, so a leak is also a
/// shell-injection hazard. Every error a loader test provokes is checked against them.
enum LoaderSecrets {
    static let pppoeUsername = "user@ocn-S3cr3tName"
    static let pppoePassword = "S3cr3t-'$(reboot)"
    static let ddnsPassword = "ddns-Pa55-\"`id`"
    static let all = [pppoeUsername, pppoePassword, ddnsPassword]

    static let ocnEnvironment = [
        "WRTFORM_PPPOE_USERNAME": pppoeUsername,
        "WRTFORM_PPPOE_PASSWORD": pppoePassword,
        "WRTFORM_DDNS_PASSWORD": ddnsPassword,
    ]

    static func expectNoSecret(in error: EngineError, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        for secret in all {
            #expect(
                !error.description.contains(secret), "an error quotes a secret: \(error.kind)",
                sourceLocation: sourceLocation)
        }
    }
}

/// A throwaway directory for playbooks, templates and secret files a test writes.
struct LoaderDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("wrtform-loader-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    var path: String { url.path }

    @discardableResult
    func write(_ name: String, _ text: String, mode: Int = 0o644) throws -> String {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
        try FileManager.default.setAttributes([.posixPermissions: NSNumber(value: mode)], ofItemAtPath: file.path)
        return file.path
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// Loads playbooks written inline by a test, the way the CLI does.
enum Loader {
    /// Loads `yaml` as FILE in a fresh directory (with any `files` beside it).
    static func load(
        _ yaml: String, file: String = "ocn.yml", files: [String: String] = [:], overrides: [String: String] = [:],
        secrets: SecretResolution = .placeholders
    ) throws -> Playbook {
        let directory = try LoaderDirectory()
        defer { directory.remove() }
        for (name, text) in files { try directory.write(name, text) }
        let path = try directory.write(file, yaml)
        return try PlaybookLoader().load(path: path, overrides: overrides, secrets: secrets)
    }

    /// The error loading `yaml` raises; checked never to quote a secret.
    static func error(
        _ yaml: String, file: String = "ocn.yml", files: [String: String] = [:], overrides: [String: String] = [:],
        secrets: SecretResolution = .placeholders, sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) throws -> EngineError {
        let error = try #require(throws: EngineError.self, sourceLocation: sourceLocation) {
            try load(yaml, file: file, files: files, overrides: overrides, secrets: secrets)
        }
        LoaderSecrets.expectNoSecret(in: error, sourceLocation: sourceLocation)
        return error
    }

    /// The step graph, built as the CLI builds it: each step that `when` leaves on, through
    /// StepCatalog, with its `needs`.
    static func graph(_ playbook: Playbook) throws -> StepGraph {
        try StepGraph(
            playbook.steps.filter { !$0.skipped }.map { entry in
                StepGraph.Node(
                    step: try StepCatalog.make(entry.input),
                    needs: entry.needs.enumerated().map { index, id in
                        (
                            id,
                            entry.needsLocations.indices.contains(index) ? entry.needsLocations[index] : entry.location
                        )
                    })
            })
    }

    /// The error building the graph raises; checked never to quote a secret.
    static func graphError(_ playbook: Playbook, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws
        -> EngineError
    {
        let error = try #require(throws: EngineError.self, sourceLocation: sourceLocation) { try graph(playbook) }
        LoaderSecrets.expectNoSecret(in: error, sourceLocation: sourceLocation)
        return error
    }

    static func step(_ playbook: Playbook, _ id: String) throws -> PlaybookStep {
        try #require(playbook.steps.first { $0.input.id == id }, "no step \(id)")
    }

    static func scalar(_ field: InputField?) -> String? {
        guard case .scalar(let text)? = field?.value else { return nil }
        return text
    }

    static func scalars(_ field: InputField?) -> [String]? {
        guard case .list(let items)? = field?.value else { return nil }
        return items.map { item in
            guard case .scalar(let text) = item.value else { return "<not a scalar>" }
            return text
        }
    }
}

/// A throwaway copy of a router fixture's root filesystem, planned against with the local target.
struct LoaderRouter {
    let root: URL

    init(_ fixture: String = "openwrt-24.10") throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("wrtform-loader-root-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: LoaderPaths.routers.appendingPathComponent(fixture), to: root)
    }

    func plan(_ graph: StepGraph) async throws -> Plan {
        let target = try LocalDirectoryTarget(root: root)
        let snapshot = try await target.snapshot(paths: Planner.paths(for: graph), run: nil)
        return try Planner().plan(graph, on: snapshot)
    }

    func remove() { try? FileManager.default.removeItem(at: root) }
}

/// Answers prompts from a table, recording what was asked.
final class FakePrompter: SecretPrompter, @unchecked Sendable {
    private let lock = NSLock()
    private var asked: [String] = []
    let answers: [String: String]

    init(_ answers: [String: String]) { self.answers = answers }

    var questions: [String] { lock.withLock { asked } }

    func prompt(_ message: String) throws -> String {
        lock.withLock { asked.append(message) }
        guard let answer = answers[message] else { throw EngineError(.invalidInput, "no answer for the prompt") }
        return answer
    }
}
