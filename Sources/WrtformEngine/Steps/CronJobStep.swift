/// Ensures one line in root's crontab (`/etc/crontabs/root`): the DDNS hook's periodic check. The
/// line is found by its exact text, appended after what the user has, and removed by rollback.
/// Applying it enables and (re)starts cron: busybox crond does not run while no crontab exists.
public struct CronJobStep: Step {
    public let id: String
    public let location: SourceLocation?
    public let schedule: String
    public let command: String
    public var kind: StepKind { .cronJob }
    public var files: [String] { [ConfigFile.crontab] }

    public static let fields: Set<String> = ["schedule", "command"]

    public var line: String { "\(schedule) \(command)" }

    public init(_ input: StepInput) throws {
        try input.allowOnly(Self.fields)
        id = input.id
        location = input.location
        let written = try input.requiredString("schedule")
        let fields = written.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count == 5,
            fields.allSatisfy({ $0.utf8.allSatisfy { byte in (48...57).contains(byte) || "*/,-".utf8.contains(byte) } })
        else {
            throw input.error(
                "schedule", "schedule '\(written)' is not five cron fields of digits and * / , - (e.g. '*/10 * * * *')")
        }
        schedule = fields.joined(separator: " ")
        command = try input.requiredString("command")
        if command.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) {
            throw input.error("command", "a cron command is one line: no newline or other control characters")
        }
        if command.unicodeScalars.contains("%") {
            throw input.error(
                "command", "cron reads % in a command as a newline", hint: "move the command into a script")
        }
    }

    public func check(_ state: RouterState) throws -> [Change] {
        let current = state.file(ConfigFile.crontab)
        let present = current.text.split(whereSeparator: \.isNewline).map {
            $0.split(separator: " ").joined(separator: " ")
        }
        if present.contains(line) { return [] }
        if !current.exists {
            let created = FileState(content: Array((line + "\n").utf8), mode: "0600", owner: "0:0")
            return [.writeFile(path: ConfigFile.crontab, old: current, new: created)]
        }
        return [.addLine(file: ConfigFile.crontab, line: line)]
    }
}
