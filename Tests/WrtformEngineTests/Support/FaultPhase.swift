import Foundation
import Testing
import VirtualRouter
import WrtformEngine
import WrtformSSH

/// The moments of an apply a fault test stops wrtform at, each a fault point on the router.
enum FaultPhase: String, CaseIterable, Sendable, CustomTestStringConvertible {
    /// The lock is taken, the compare-and-swap under way; nothing journaled (1st sha256sum).
    case afterLock
    /// Old bytes journaled, nothing replaced (1st sync of the write).
    case afterJournal
    /// Boot hook installed (1st mv), the first file renamed into place (2nd mv), the rest not yet:
    /// the one moment the router's files really are a mix.
    case midRename
    /// Every file replaced, the run not yet marked pending (3rd sync of the write).
    case afterWrite
    /// Reloading: network reloaded, firewall's reload under way.
    case duringReload
    /// Reloaded; verifying (a probe runs), the confirmation not yet given.
    case beforeConfirm

    var testDescription: String { rawValue }

    /// Sets the fault point up and starts applying `plan` in the background, to stop there.
    func startApply(_ plan: Plan, to target: any RouterTarget, on router: VirtualRouter) throws -> (
        FaultPoint, Task<ApplyResult, any Error>
    ) {
        let (point, probe) = try point(on: router)
        var options = Fault.options
        options.probes = probe.map { [$0] } ?? []
        return (point, Task { [options] in try await Applier(options: options).apply(plan, to: target) })
    }

    /// Sets the fault point up; for `.beforeConfirm` the probe to add to the apply's options.
    func point(on router: VirtualRouter) throws -> (FaultPoint, PostCheck?) {
        switch self {
        case .afterLock: return (try FaultPoint(.applet("sha256sum"), call: 1, on: router), nil)
        case .afterJournal: return (try FaultPoint(.applet("sync"), call: 1, on: router), nil)
        case .midRename: return (try FaultPoint(.applet("mv"), call: 3, on: router), nil)
        case .afterWrite: return (try FaultPoint(.applet("sync"), call: 3, on: router), nil)
        case .duringReload: return (try FaultPoint(.service("firewall"), call: 1, on: router), nil)
        case .beforeConfirm:
            let point = try FaultPoint(.probe, on: router)
            return (point, PostCheck("the router holds here", command: point.command, needsNetifd: false))
        }
    }

    /// Whether the router's files, at the moment of the fault, already hold new bytes.
    var filesChangedYet: Bool {
        switch self {
        case .afterLock, .afterJournal: return false
        case .midRename, .afterWrite, .duringReload, .beforeConfirm: return true
        }
    }
}

extension VirtualRouter {
    /// The engine's SSH target reaching this router through `proxy` (so a test can cut it).
    func proxiedTarget(_ proxy: DelayingProxy, commandTimeout: Duration = .seconds(60)) -> SSHRouterTarget {
        SSHRouterTarget(
            SSHTarget(host: proxy.host, port: proxy.port, user: "root"),
            hostKeyPolicy: .fingerprint(hostKeyFingerprint),
            credentials: SSHCredentials(agent: false, identityFiles: [clientKeyFile]), connectTimeout: .seconds(5),
            commandTimeout: commandTimeout)
    }
}
