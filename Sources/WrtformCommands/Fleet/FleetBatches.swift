import Foundation
import WrtformEngine

/// `--serial 1,25%,100%`: batch sizes as counts or percentages of all selected hosts (at least 1 each);
/// the last size repeats until every host is in a batch (Ansible's `serial`).
enum FleetBatches {
    static func split(_ hosts: [String], serial: String?) throws -> [[String]] {
        guard let serial else { return hosts.isEmpty ? [] : [hosts] }
        var sizes: [Int] = []
        for part in serial.split(separator: ",", omittingEmptySubsequences: false) {
            let text = part.trimmingCharacters(in: .whitespaces)
            if text.hasSuffix("%"), let percent = Int(text.dropLast()), (1...100).contains(percent) {
                sizes.append(max(1, hosts.count * percent / 100))
            } else if let count = Int(text), count >= 1 {
                sizes.append(count)
            } else {
                throw EngineError(
                    .invalidInput, "--serial \(serial): '\(text)' is not a count (1 or more) or a percentage (1%-100%)",
                    hint: "for example --serial 1,25%,100%")
            }
        }
        var batches: [[String]] = []
        var rest = hosts[...]
        var index = 0
        while !rest.isEmpty {
            let size = sizes[min(index, sizes.count - 1)]
            batches.append(Array(rest.prefix(size)))
            rest = rest.dropFirst(size)
            index += 1
        }
        return batches
    }
}
