/// A router's configuration as playbook steps, before it is written as YAML. Secret values are
/// never in the steps: a step names the secret, and only `secretValues` (kept in memory, never
/// printed) holds what the router has, so the import can check and adopt what it made.
public struct ImportedPlaybook: Sendable {
    public var name: String
    /// Where it came from, for the header comment: "root@192.168.1.1:22".
    public var source: String
    public var secrets: [ImportedSecret]
    /// Addresses several steps use, written once.
    public var vars: [ImportedVariable] = []
    public var steps: [ImportedStep]
    /// What was left out and why, for stderr.
    public var warnings: [String]
    /// The router's value of each secret, by secret name.
    package var secretValues: [String: String]

    public init(
        name: String, source: String, secrets: [ImportedSecret] = [], steps: [ImportedStep] = [],
        warnings: [String] = []
    ) {
        self.name = name
        self.source = source
        self.secrets = secrets
        self.steps = steps
        self.warnings = warnings
        secretValues = [:]
    }

    /// The lines to paste into a shell before planning the import (names only, never values).
    public var exportLines: [String] {
        secrets.map { "export \($0.environment)=…   # \($0.origin)" }
    }
}

/// A value several steps share (a server's address in a redirect and a rule), as a `vars:` entry.
public struct ImportedVariable: Sendable, Hashable {
    public var name: String
    public var value: String
    /// Which steps use it: "forward-server-443 (dest_ip), rule-100 (src)".
    public var usedBy: String
}

/// A secret the playbook reads from the environment.
public struct ImportedSecret: Sendable, Hashable {
    public var name: String
    public var environment: String
    /// Where the value is on the router: "option password of interface 'wanppp'".
    public var origin: String
}

/// One step of an imported playbook.
public struct ImportedStep: Sendable {
    public var id: String
    public var kind: StepKind
    /// Where it came from: "/etc/config/firewall, section 7 (unnamed redirect)".
    public var origin: String
    public var fields: [ImportedField]
    /// Set when a fresh 24.10 has this section too (changed here): adoption claims only its options.
    public var note: String?

    public init(id: String, kind: StepKind, origin: String, fields: [ImportedField], note: String? = nil) {
        self.id = id
        self.kind = kind
        self.origin = origin
        self.fields = fields
        self.note = note
    }
}

/// A key and its value, in the order they are written.
public struct ImportedField: Sendable, Hashable {
    public var key: String
    public var value: ImportedValue

    public init(_ key: String, _ value: ImportedValue) {
        self.key = key
        self.value = value
    }
}

public indirect enum ImportedValue: Sendable, Hashable {
    case text(String)
    case list([String])
    /// The whole value is the named secret.
    case secret(String)
    /// Text in which `{{ name }}` stands for secrets (a file holding a password).
    case template(String)
    case map([ImportedField])
}
