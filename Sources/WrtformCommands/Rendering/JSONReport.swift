import Foundation
import WrtformEngine
import WrtformUCI

/// The one JSON document `--json` prints. Its shape is stable (format 1), documented in the README:
/// add fields, never rename or remove them.
struct JSONReport: Encodable {
    struct Step: Encodable {
        var id: String
        var kind: String
        var action: String
        var changes: [String]
        /// The same changes as objects, one per option (secret values masked).
        var changeObjects: [ChangeObject]?

        enum CodingKeys: String, CodingKey {
            case id, kind, action, changes
            case changeObjects = "change_objects"
        }
    }

    /// One change for scripts: what, where, from what to what. A list value is an array; absent
    /// `old` or `new` means unset (or no file).
    struct ChangeObject: Encodable {
        var action: String
        var file: String?
        var section: String?
        var option: String?
        var old: Value?
        var new: Value?
        var line: String?
        var mode: String?
        var owner: String?
        /// A package step's package, or a service step's init script and what runs on it.
        var package: String?
        var service: String?
        var verb: String?
    }

    enum Value: Encodable {
        case single(String)
        case list([String])

        init(_ value: UCIValue, secret: Bool) {
            switch value {
            case .single(let text): self = .single(secret ? "(secret)" : text)
            case .list(let items): self = .list(secret ? items.map { _ in "(secret)" } : items)
            }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .single(let text): try container.encode(text)
            case .list(let items): try container.encode(items)
            }
        }
    }

    /// `validate --json` and `graph --json`: the steps in the order they run, and what orders them.
    struct Graph: Encodable {
        struct Node: Encodable {
            var id: String
            var kind: String
            var files: [String]
        }
        struct Edge: Encodable {
            var from: String
            var to: String
            var implied: Bool
        }
        var steps: [Node]
        var edges: [Edge]

        init(_ graph: StepGraph) {
            steps = graph.ordered.map { Node(id: $0.id, kind: $0.kind.rawValue, files: $0.files) }
            edges = graph.edges.map { Edge(from: $0.from, to: $0.to, implied: $0.implied) }
        }
    }

    struct File: Encodable {
        var path: String
        var diff: String
        var secret: Bool
        var mode: String
        var owner: String
    }

    /// `rollback --dry-run --json`: what a rollback would have to overwrite (see `RollbackConflict`).
    struct Conflict: Encodable {
        var reason: String
        var step: String
        var file: String
        var section: String?
        var option: String?
        var expected: Value?
        var found: Value?

        init(_ conflict: RollbackConflict) {
            reason = conflict.reason.rawValue
            step = conflict.step
            file = conflict.file
            section = conflict.section
            option = conflict.option
            // Masked by the engine already.
            expected = conflict.expected.map { Value($0, secret: false) }
            found = conflict.found.map { Value($0, secret: false) }
        }
    }

    struct Summary: Encodable {
        var add: Int
        var change: Int
        var remove: Int
    }

    struct Check: Encodable {
        var description: String
        var status: String
        /// Doctor's checks also as parts: a stable id, what was found, what to do.
        var id: String?
        var detail: String?
        var hint: String?
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
    var graph: Graph?
    var conflicts: [Conflict]?
    var error: Failure?

    enum CodingKeys: String, CodingKey {
        case format, command, target, steps, files, services, warnings, summary, status, checks, runs, facts, graph,
            conflicts, error
        case changesPending = "changes_pending"
        case runID = "run_id"
        case wrtformVersion = "wrtform_version"
    }

    init(command: String, target: String? = nil) {
        self.command = command
        self.target = target
    }

    mutating func add(_ plan: Plan) {
        changesPending = plan.hasPendingChanges
        steps = plan.steps.map { step in
            Step(
                id: step.id, kind: step.kind.rawValue, action: step.action.rawValue, changes: step.summary,
                changeObjects: step.changes.flatMap { Self.objects($0, secretKeys: plan.secretKeys) })
        }
        files = plan.files.map {
            File(
                path: $0.path, diff: $0.isSecret ? PlanRenderer.diffLines($0).joined(separator: "\n") + "\n" : $0.diff,
                secret: $0.isSecret,
                mode: $0.new.mode, owner: $0.new.owner)
        }
        services = plan.services
        warnings = plan.notices + plan.warnings
        let counts = plan.counts
        summary = Summary(add: counts.add, change: counts.change, remove: counts.remove)
    }

    static func objects(_ change: Change, secretKeys: Set<String>) -> [ChangeObject] {
        func value(_ key: String, _ value: UCIValue?) -> Value? {
            value.map { Value($0, secret: secretKeys.contains(key)) }
        }
        switch change {
        case .addSection(let file, let match, let options, _):
            return options.map {
                ChangeObject(
                    action: "create", file: file, section: match.description, option: $0.key,
                    new: value($0.key, $0.value))
            }
        case .setOptions(let file, let match, let options):
            return options.map {
                ChangeObject(
                    action: "update", file: file, section: match.description, option: $0.key,
                    old: value($0.key, $0.old), new: value($0.key, $0.new))
            }
        case .removeSection(let file, let match, _, _):
            return [ChangeObject(action: "delete", file: file, section: match.description)]
        case .addLine(let file, let line, _):
            return [ChangeObject(action: "create", file: file, line: line)]
        case .writeFile(let path, let old, let new):
            return [
                ChangeObject(action: old.exists ? "update" : "create", file: path, mode: new.mode, owner: new.owner)
            ]
        case .package(let name, let install):
            return [
                ChangeObject(action: install ? "create" : "delete", package: name, verb: install ? "install" : "remove")
            ]
        case .service(let name, let verb):
            return [ChangeObject(action: "update", service: name, verb: verb.rawValue)]
        }
    }

    mutating func add(_ error: Error) {
        if let engine = error as? EngineError {
            self.error = Failure(
                kind: engine.kind.description, message: engine.message, location: engine.location?.description,
                hint: engine.hint)
        } else {
            self.error = Failure(kind: "error", message: "\(error)", location: nil, hint: nil)
        }
    }

    func encoded() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else {
            return "{\"format\": 1, \"error\": {\"message\": \"could not encode the report\"}}"
        }
        return String(decoding: data, as: UTF8.self)
    }
}
