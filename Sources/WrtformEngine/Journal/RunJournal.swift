import Foundation
import WrtformUCI

/// A run's record, kept on the router in /etc/wrtform/runs/RUN_ID/run.json (0600, on flash) so a later
/// rollback — from any machine — can undo exactly what the run did. A copy with secrets masked is kept
/// locally in ~/.local/state/wrtform/.
public struct RunJournal: Sendable, Codable, Equatable {
    public struct StepRecord: Sendable, Codable, Equatable {
        public var id: String
        public var kind: String
        public var changes: [Change]
    }

    public struct FileRecord: Sendable, Codable, Equatable {
        public var path: String
        public var oldHash: String
        public var newHash: String
    }

    public var id: String
    public var time: Int
    public var playbook: String
    public var owner: String
    public var steps: [StepRecord]
    public var files: [FileRecord]
    public var services: [String]
    /// Option keys and files whose values are secret, so masked copies can be made from this record.
    public var secretKeys: [String]
    public var secretFiles: [String]

    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        // Compact: it is kept on the router's flash.
        encoder.outputFormatting = [.sortedKeys]
        return Array(try encoder.encode(self))
    }

    /// A journal as read back from a router or a tree, checked (see `validate`) before anything
    /// acts on it. `run`: the run id it was read for, which it must name as its own.
    public static func decode(_ bytes: [UInt8], run: String? = nil) throws -> RunJournal {
        let journal: RunJournal
        do {
            journal = try JSONDecoder().decode(RunJournal.self, from: Data(bytes))
        } catch {
            throw EngineError(
                .router,
                "the journal of run \(run.map { RunJournal.isValidID($0) ? $0 : "?" } ?? "?") is not readable JSON of wrtform's",
                hint: "the journal under /etc/wrtform/runs was edited or damaged; wrtform will not act on it")
        }
        try journal.validate(run: run)
        return journal
    }

    /// The same record with every secret value replaced, for journals kept off the router.
    public func masked() -> RunJournal {
        var copy = self
        // No file hashes: an unsalted sha256 of a secret-bearing file lets anyone holding the copy test
        // guesses offline, and any config file may hold a secret this run did not touch. Nothing reads
        // them from the local copy; the router's own journal keeps them.
        copy.files = files.map { FileRecord(path: $0.path, oldHash: "", newHash: "") }
        let keys = Set(secretKeys)
        let secretPaths = Set(secretFiles)
        let hidden = UCIMask.hidden
        copy.steps = steps.map { step in
            var step = step
            step.changes = step.changes.map { change in
                switch change {
                case .addSection(let file, let match, let options, let position):
                    return .addSection(
                        file: file, match: match,
                        options: options.map { keys.contains($0.key) ? OptionSetting($0.key, hidden) : $0 },
                        position: position)
                case .setOptions(let file, let match, let options):
                    return .setOptions(
                        file: file, match: match,
                        options: options.map {
                            keys.contains($0.key)
                                ? OptionChange(
                                    key: $0.key, old: $0.old.map { _ in hidden }, new: $0.new.map { _ in hidden }) : $0
                        })
                case .removeSection(let file, let match, let options, let position):
                    return .removeSection(
                        file: file, match: match,
                        options: options.map { keys.contains($0.key) ? OptionSetting($0.key, hidden) : $0 },
                        position: position)
                case .writeFile(let path, var old, var new) where secretPaths.contains(path):
                    old.content = old.content.map { _ in Array("(secret)".utf8) }
                    new.content = new.content.map { _ in Array("(secret)".utf8) }
                    return .writeFile(path: path, old: old, new: new)
                default:
                    return change
                }
            }
            return step
        }
        return copy
    }
}

enum UCIMask {
    static let hidden = UCIValue.single("(secret)")
}
