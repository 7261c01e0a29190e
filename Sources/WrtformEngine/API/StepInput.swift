/// The fields of one playbook step, handed to its step kind to validate and build.
/// Each accessor reports a bad value at its own location, so errors read `ocn.yml:14:7: …`.
public struct StepInput: Sendable {
    public var id: String
    public var kind: String
    public var fields: [String: InputField]
    /// Where the step entry starts (its `- id:` line).
    public var location: SourceLocation?
    /// The playbook's directory, for templates named relative to it.
    public var baseDirectory: String

    public init(
        id: String, kind: String, fields: [String: InputField], location: SourceLocation?, baseDirectory: String
    ) {
        self.id = id
        self.kind = kind
        self.fields = fields
        self.location = location
        self.baseDirectory = baseDirectory
    }
}
