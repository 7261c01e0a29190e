import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A loopback TCP server that is not an SSH server: to each connection it sends `greeting`,
/// then, when `flood` is given, those bytes over and over until the client goes away.
/// Stands in for whatever answers at an address: an HTTP server, a hostile peer.
final class ScriptedServer: @unchecked Sendable {
    let port: Int
    /// Bytes sent so far, over all connections.
    var sent: Int {
        stopped.lock()
        defer { stopped.unlock() }
        return sentCount
    }
    private var sentCount = 0
    private let fd: Int32
    private let greeting: [UInt8]
    private let flood: [UInt8]?
    private let closeAtOnce: Bool
    private let stopped = NSCondition()
    private var stopping = false

    init(greeting: [UInt8], flood: [UInt8]? = nil, closeAtOnce: Bool = false) throws {
        self.closeAtOnce = closeAtOnce
        (fd, port) = try #require(SilentListener.listen())
        self.greeting = greeting
        self.flood = flood
        let serve = Thread { [unowned self] in self.serve() }
        serve.start()
    }

    deinit { stop() }

    func stop() {
        stopped.lock()
        let first = !stopping
        stopping = true
        stopped.unlock()
        if first { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    private var isStopping: Bool {
        stopped.lock()
        defer { stopped.unlock() }
        return stopping
    }

    private func serve() {
        while !isStopping {
            let client = accept(fd, nil, nil)
            if client < 0 { break }
            let greeting = self.greeting
            let flood = self.flood
            if closeAtOnce {
                close(client)
                continue
            }
            Thread { [weak self] in
                defer { close(client) }
                guard Self.sendAll(client, greeting, count: { self?.add($0) }) else { return }
                if let flood {
                    let chunk = Array(repeating: flood, count: max(1, 16_384 / max(1, flood.count))).flatMap { $0 }
                    while self?.isStopping == false {
                        guard Self.sendAll(client, chunk, count: { self?.add($0) }) else { return }
                    }
                } else {
                    // Keep the connection open until the client closes it.
                    var byte: UInt8 = 0
                    while recv(client, &byte, 1, 0) > 0 {}
                }
            }.start()
        }
        close(fd)
    }

    private func add(_ count: Int) {
        stopped.lock()
        sentCount += count
        stopped.unlock()
    }

    private static func sendAll(_ fd: Int32, _ bytes: [UInt8], count: (Int) -> Void) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written <= 0 { return false }
            offset += written
            count(written)
        }
        return true
    }
}
