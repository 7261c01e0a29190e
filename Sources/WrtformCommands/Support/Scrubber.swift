/// The last line of defence for secrets: every line a command prints passes through here, with the
/// resolved secret values of the playbook replaced. The engine already masks them; this catches
/// anything that slips through (an error quoting a value, a router's message).
struct Scrubber: Sendable {
    var secrets: [String]

    func clean(_ text: String) -> String {
        var text = text
        for secret in secrets where secret.count >= 3 {
            text = text.replacingOccurrences(of: secret, with: "(secret)")
        }
        return text
    }
}
