import Foundation
import VirtualRouter
import WrtformCommands

#if canImport(Glibc)
    import Glibc
#endif

// Starts a virtual OpenWrt router by hand and waits for Ctrl-C (see README).
//   virtual-router [FIXTURE] [--packages opkg|apk]   FIXTURE: a directory under Fixtures/routers (default openwrt-24.10)
//   virtual-router demo [PLAYBOOK] plans PLAYBOOK (default the OCN one) against a fresh router, then stops it

var options = VirtualRouter.Options()
do {
    switch try VirtualRouterArguments.parse(Array(CommandLine.arguments.dropFirst())) {
    case .help:
        print(VirtualRouterArguments.usage)
        exit(0)
    case .demo(let playbook):
        exit(await Demo.run(playbook: playbook ?? "Playbooks/ocn-dualstack-pppoe.yml"))
    case .start(let fixture, let packageManager):
        options.fixture = fixture
        options.packageManager = packageManager
    }
} catch {
    FileHandle.standardError.write(Data("virtual-router: \(error)\n".utf8))
    exit(1)
}

// Ctrl-C and SIGTERM stop the router (its sandbox dies with us anyway: bwrap --die-with-parent).
signal(SIGINT, SIG_IGN)
signal(SIGTERM, SIG_IGN)
let stopSignals = [SIGINT, SIGTERM].map { number in
    let source = DispatchSource.makeSignalSource(signal: number, queue: .main)
    source.resume()
    return source
}

let router: VirtualRouter
do {
    router = try await VirtualRouter.start(options)
} catch {
    FileHandle.standardError.write(Data("virtual-router: \(error)\n".utf8))
    exit(1)
}

print(
    """
    Virtual OpenWrt router '\(options.fixture)' is up\(options.packageManager.map { " (package manager: \($0.rawValue))" } ?? "").
      host:          \(router.host)
      port:          \(router.port)
      known_hosts:   \(router.knownHostsFile)
      host key:      \(router.hostKeyFingerprint)
      identity:      \(router.clientKeyFile)   (user root)
      password:      \(router.rootPassword)
      filesystem:    \(router.root.path)
      records:       \(router.recordDirectory.path)
    Try:
      swift run wrtform facts --host \(router.host) --port \(router.port) --identity \(router.clientKeyFile) --known-hosts \(router.knownHostsFile)
    Ctrl-C stops it.
    """)
fflush(nil) // flush stdout even when it is a file or pipe

await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
    for source in stopSignals {
        source.setEventHandler {
            // Cancel every source first so a second signal cannot resume twice.
            for source in stopSignals { source.cancel() }
            continuation.resume()
        }
    }
}
router.stop()
print("virtual-router: stopped")
