import Foundation

/// Reads the NUL-separated record files the sandbox's stand-ins write.
enum RecordParser {
    /// `COMMAND\0` repeated.
    static func commands(_ data: Data) -> [String] {
        fields(data).map { String(decoding: $0, as: UTF8.self) }
    }

    /// `SERVICE\0EPOCH\0ARGC\0ARG…\0` repeated. A record still being written (cut short) is left out.
    static func serviceCalls(_ data: Data) throws -> [ServiceCall] {
        let fields = fields(data).map { String(decoding: $0, as: UTF8.self) }
        var calls: [ServiceCall] = []
        var index = 0
        while index + 3 <= fields.count {
            guard let seconds = TimeInterval(fields[index + 1]), let count = Int(fields[index + 2]), count >= 0 else {
                throw VirtualRouterError(
                    .badRecord, "malformed service call record at field \(index): \(fields[index..<(index + 3)])")
            }
            let end = index + 3 + count
            guard end <= fields.count else { break }
            calls.append(
                ServiceCall(
                    service: fields[index], arguments: Array(fields[(index + 3)..<end]),
                    time: Date(timeIntervalSince1970: seconds)))
            index = end
        }
        return calls
    }

    /// Complete NUL-terminated fields (an unterminated tail is still being written).
    private static func fields(_ data: Data) -> [Data] {
        var result: [Data] = []
        var start = data.startIndex
        for index in data.indices where data[index] == 0 {
            result.append(data[start..<index])
            start = index + 1
        }
        return result
    }
}
