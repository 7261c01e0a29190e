import Foundation

/// Run ids sort by time, to the millisecond, so "the last run" is the last one even when two
/// runs start in the same second (an apply and its rollback in a script): 20261126T221500Z-042c9
/// is 22:15:00.042 UTC and two random hex digits.
enum RunID {
    static func make(now: Date = Date()) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.locale = Locale(identifier: "en_US_POSIX")
        let milliseconds = Int((now.timeIntervalSince1970 * 1000).truncatingRemainder(dividingBy: 1000))
        let random = String(UInt8.random(in: 0...UInt8.max), radix: 16)
        let fraction = String(repeating: "0", count: 3 - String(milliseconds).count) + String(milliseconds)
        return formatter.string(from: now) + "-" + fraction + String(repeating: "0", count: 2 - random.count) + random
    }
}
