/// The addresses busybox `nslookup HOST` answered with. Its output names the server first
/// (`Server:` / `Address: 127.0.0.1:53`), then per answer `Name: HOST` and `Address: A` (older
/// busybox: `Address 1: A HOST`); only addresses after a `Name:` line are answers.
struct NslookupAnswer: Equatable {
    var addresses: [String]
    /// The probe killed nslookup after its time limit.
    var timedOut: Bool
    /// What nslookup said when it found nothing (`** server can't find HOST: NXDOMAIN`).
    var message: String

    static let timeoutMarker = "WRTFORM-TIMEOUT"

    init(_ output: String) {
        var addresses: [String] = []
        var inAnswer = false
        var message = ""
        for raw in output.split(whereSeparator: \.isNewline) {
            let line = String(raw).trimmingSpaces
            if line.hasPrefix("Name:") {
                inAnswer = true
                continue
            }
            if line.hasPrefix("**") || line.lowercased().contains("can't") { message = line }
            guard inAnswer, line.hasPrefix("Address") else { continue }
            let afterColon =
                line.split(separator: ":", maxSplits: 1).dropFirst().first.map { String($0).trimmingSpaces } ?? ""
            if let word = afterColon.split(separator: " ").first {
                let address = String(word)
                if Validate.ipv4(address) || Validate.ipv6(address) { addresses.append(address) }
            }
        }
        self.addresses = addresses
        timedOut = output.contains(Self.timeoutMarker)
        self.message = message
    }
}
