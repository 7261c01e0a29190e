import Foundation
import Testing
import VirtualRouter

/// A place on the router where a test holds wrtform still: the Nth call of a busybox applet
/// (`mv`, `sync`, `sha256sum`), of a stubbed service, or of a probe waits there until released.
/// While it waits the test cuts the connection, kills the client or "reboots" the router, so
/// every fault lands at exactly the phase named — no timing guesses.
struct FaultPoint {
    enum Place {
        case applet(String)
        case service(String)
        /// A post-check command: `FaultPoint.command` runs the wait.
        case probe
    }

    let router: VirtualRouter
    let name: String
    let place: Place
    let call: Int

    /// Sets the point up: from now on the `call`th call of `place` pauses.
    init(_ place: Place, call: Int = 1, on router: VirtualRouter) throws {
        self.router = router
        self.place = place
        self.call = call
        name = "fault-" + UUID().uuidString.prefix(8).lowercased()
        switch place {
        case .applet(let applet): try router.setAppletBehavior(.run(script), for: applet)
        case .service(let service): try router.setServiceBehavior(.run(script), for: service)
        case .probe: break
        }
    }

    private var mark: String { "\(router.recordMount)/\(name)" }

    /// Counts calls and, at the `call`th, leaves a mark and waits for the test's go-ahead.
    /// Only busybox by full path: the applet being wrapped may be one of those it needs.
    var script: String {
        """
        n=$(( $(/bin/busybox cat \(mark).count 2>/dev/null || echo 0) + 1 )); echo $n > \(mark).count
        if [ $n -eq \(call) ]; then
            : > \(mark).reached
            while [ ! -f \(mark).go ]; do /bin/busybox sleep 0.05; done
        fi
        """
    }

    /// For `.probe`: a check command that pauses, then passes.
    var command: String { "{ \(script)\n}; true" }

    private func recordFile(_ suffix: String) -> URL {
        router.recordDirectory.appendingPathComponent(name + suffix)
    }

    var isReached: Bool { FileManager.default.fileExists(atPath: recordFile(".reached").path) }

    /// Waits (bounded) until wrtform arrives here.
    func waitUntilReached(timeout: Duration = .seconds(30), _ what: String = "") async throws {
        let reached = await Fault.eventually(timeout) { isReached }
        if !reached {
            Issue.record("wrtform never reached \(place) call \(call)\(what.isEmpty ? "" : " (\(what))")")
            throw FaultTestError.timedOut("fault point \(place) call \(call)")
        }
    }

    /// Lets the paused call go on (and every later one: they no longer pause).
    func release() throws {
        try Data().write(to: recordFile(".go"))
    }

    /// Puts the plain applet or service back.
    func remove() throws {
        try release()
        switch place {
        case .applet(let applet): try router.setAppletBehavior(.succeed, for: applet)
        case .service(let service): try router.setServiceBehavior(.succeed, for: service)
        case .probe: break
        }
    }
}

enum FaultTestError: Error, CustomStringConvertible {
    case timedOut(String)
    var description: String {
        switch self {
        case .timedOut(let what): return "timed out waiting for \(what)"
        }
    }
}
