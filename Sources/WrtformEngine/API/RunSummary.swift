/// One journaled run, as `wrtform history` lists it.
public struct RunSummary: Sendable, Codable, Equatable {
    public var id: String
    public var status: RunStatus
    public var time: Int
    public var playbook: String
    public var files: [String]

    public init(id: String, status: RunStatus, time: Int, playbook: String, files: [String]) {
        self.id = id
        self.status = status
        self.time = time
        self.playbook = playbook
        self.files = files
    }
}
