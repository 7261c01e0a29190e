import Foundation
import WrtformEngine

/// The one JSON document `--json` prints. Its shape is stable (format 1), documented in the README:
/// add fields, never rename or remove them.
struct JSONReport: Encodable {
    struct Step: Encodable {
        var id: String
        var kind: String
        var action: String
        var changes: [String]
    }

    struct File: Encodable {
        var path: String
        var diff: String
        var secret: Bool
        var mode: String
        var owner: String
    }

    struct Summary: Encodable {
        var add: Int
        var change: Int
        var remove: Int
    }

    struct Check: Encodable {
        var description: String
        var status: String
    }

    struct Failure: Encodable {
        var kind: String
        var message: String
        var location: String?
        var hint: String?
    }

    var format = 1
    /// Which wrtform wrote the document.
    var wrtformVersion = WrtformVersion.current
    var command: String
    var target: String?
    var changesPending: Bool?
    var steps: [Step]?
    var files: [File]?
    var services: [String]?
    var warnings: [String]?
    var summary: Summary?
    var runID: String?
    var status: String?
    var checks: [Check]?
    var runs: [RunSummary]?
    var facts: Facts?
    var error: Failure?

    enum CodingKeys: String, CodingKey {
        case format, command, target, steps, files, services, warnings, summary, status, checks, runs, facts, error
        case changesPending = "changes_pending"
        case runID = "run_id"
        case wrtformVersion = "wrtform_version"
    }

    init(command: String, target: String? = nil) {
        self.command = command
        self.target = target
    }

    mutating func add(_ plan: Plan) {
        changesPending = plan.hasChanges
        steps = plan.steps.map { Step(id: $0.id, kind: $0.kind.rawValue, action: $0.action.rawValue, changes: $0.summary) }
        files = plan.files.map { File(path: $0.path, diff: $0.diff, secret: $0.isSecret, mode: $0.new.mode, owner: $0.new.owner) }
        services = plan.services
        warnings = plan.notices + plan.warnings
        let counts = plan.counts
        summary = Summary(add: counts.add, change: counts.change, remove: counts.remove)
    }

    mutating func add(_ error: Error) {
        if let engine = error as? EngineError {
            self.error = Failure(kind: engine.kind.description, message: engine.message, location: engine.location?.description, hint: engine.hint)
        } else {
            self.error = Failure(kind: "error", message: "\(error)", location: nil, hint: nil)
        }
    }

    func encoded() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "{\"format\": 1, \"error\": {\"message\": \"could not encode the report\"}}" }
        return String(decoding: data, as: UTF8.self)
    }
}
