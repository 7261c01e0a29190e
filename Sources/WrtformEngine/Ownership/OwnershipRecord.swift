import Foundation
import WrtformUCI

/// What each playbook manages on the router, by playbook `name`: one small JSON file on flash
/// (/etc/wrtform/owners.json, 0600), planned and written like any other file. So reading it costs
/// no extra round trip, and the write's journal, the watchdog and the boot hook restore it along
/// with the config it describes. One file for every playbook, so a plan sees what the others claim.
public struct OwnershipRecord: Sendable, Codable, Equatable {
    public static let path = "/etc/wrtform/owners.json"
    /// A run id not known yet at plan time; the applier puts the run's own id in its place.
    static let thisRun = "(this run)"

    public var format = 1
    public var playbooks: [String: OwnedPlaybook] = [:]

    public init(playbooks: [String: OwnedPlaybook] = [:]) {
        self.playbooks = playbooks
    }

    /// The record in `state` (an absent file is an empty record).
    public static func read(_ state: FileState) throws -> OwnershipRecord {
        guard let content = state.content else { return OwnershipRecord() }
        do {
            return try JSONDecoder().decode(OwnershipRecord.self, from: Data(content))
        } catch {
            throw EngineError(
                .router, "\(path) on the router is not an ownership record wrtform can read",
                hint: "move it aside on the router (wrtform then owns nothing) or restore it from /etc/wrtform/runs")
        }
    }

    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        // Compact, as the journals: it is kept on the router's flash.
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(self)) + [UInt8(ascii: "\n")]
    }

    /// The file to write: 0600 like the journals, or absent once no playbook owns anything.
    func fileState(replacing old: FileState) throws -> FileState {
        playbooks.isEmpty
            ? FileState(content: nil, mode: old.mode, owner: old.owner)
            : FileState(content: try encoded(), mode: "0600", owner: "0:0")
    }

    /// Option keys and files recorded as secret, so removals of what no step describes any more
    /// are masked as their steps were.
    var secretKeys: Set<String> { Set(playbooks.values.flatMap { $0.steps.flatMap { $0.secretKeys ?? [] } }) }
    var secretFiles: Set<String> {
        Set(playbooks.values.flatMap { $0.steps.filter { $0.secret == true }.map(\.file) })
    }

    /// The same record with `thisRun` replaced by the run's id.
    func stamped(runID: String, time: Int) -> OwnershipRecord {
        var copy = self
        for (name, var playbook) in playbooks {
            guard playbook.run == Self.thisRun else { continue }
            playbook.run = runID
            playbook.time = time
            playbook.steps = playbook.steps.map { step in
                var step = step
                if step.run == Self.thisRun { step.run = runID }
                return step
            }
            copy.playbooks[name] = playbook
        }
        return copy
    }
}

/// What one playbook owns, and the run that last changed it.
public struct OwnedPlaybook: Sendable, Codable, Equatable {
    public var run: String?
    public var time: Int?
    public var steps: [OwnedStep]

    public init(run: String? = nil, time: Int? = nil, steps: [OwnedStep] = []) {
        self.run = run
        self.time = time
        self.steps = steps
    }
}

/// One step's claim: what it matches (never a position, never a secret value) and what pruning it
/// undoes. `created`: wrtform made the section, file or lines, so pruning removes them. Otherwise
/// the thing was there before and only `options` (with the values they had before) are owned.
public struct OwnedStep: Sendable, Codable, Equatable {
    public var id: String
    public var kind: String
    /// The run that last changed what this step owns.
    public var run: String?
    /// The file it lives in (the file itself, for a file step).
    public var file: String
    public var match: SectionMatch?
    /// Lines of a plain file (rt_tables, sysupgrade.conf) the step keeps; `added`: those wrtform wrote.
    public var lines: [String]?
    public var added: [String]?
    public var created: Bool
    /// Options set on a section that was there before.
    public var options: [OwnedOption]?
    /// Option names whose values are secret (names only).
    public var secretKeys: [String]?
    /// A file whose content is secret.
    public var secret: Bool?
    /// sha256 of the file content written, so pruning never deletes a file changed since.
    public var hash: String?
    /// Sections the step created beside its own in the same file (a PPPoE interface's port gets a
    /// `config device`): removed with it.
    public var companions: [SectionMatch]?

    public init(id: String, kind: String, run: String?, file: String, created: Bool) {
        self.id = id
        self.kind = kind
        self.run = run
        self.file = file
        self.created = created
    }

    /// What two playbooks must not both claim.
    var claims: [String] {
        if let match {
            if created { return ["\(match) in \(file)"] }
            return (options ?? []).map { "option \($0.key) of \(match) in \(file)" }
        }
        if let lines { return lines.map { "line '\($0.replacingTabs)' of \(file)" } }
        return ["file \(file)"]
    }

    /// What the step names, whatever it owns of it: a changed step names something else.
    var identityClaims: [String] {
        var copy = self
        copy.created = true
        return copy.claims
    }

    /// For `state` and plan lines: "redirect [src='wan' src_dport='443'] in /etc/config/firewall".
    public var resourceDescription: String {
        if let match {
            let owned = created ? "" : " (options " + (options ?? []).map(\.key).joined(separator: ", ") + ")"
            return "\(match) in \(file)\(owned)"
        }
        if let lines { return (lines.map { "'\($0.replacingTabs)'" }.joined(separator: ", ")) + " in \(file)" }
        return file
    }
}

/// An option wrtform set on a section it did not create: the value it set and the one before
/// (nil: unset). A secret option keeps neither; `beforeKnown` false means the old value cannot be
/// put back (it was secret, or set before wrtform recorded ownership).
public struct OwnedOption: Sendable, Codable, Equatable {
    public var key: String
    public var value: UCIValue?
    public var before: UCIValue?
    public var beforeKnown: Bool
    public var secret: Bool?

    public init(key: String, value: UCIValue?, before: UCIValue?, beforeKnown: Bool, secret: Bool? = nil) {
        self.key = key
        self.value = value
        self.before = before
        self.beforeKnown = beforeKnown
        self.secret = secret
    }
}
