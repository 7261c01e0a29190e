import Dispatch
import Foundation

/// Ctrl-C or SIGTERM while an apply or rollback works: say what the router will do and when, then
/// exit (130 / 143 as a shell reports a signal). Without this a run left waiting for confirmation
/// looked like nothing, and the watchdog reverted it 90 s later.
final class Interruption: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []

    /// Starts catching SIGINT and SIGTERM; `message` is asked for at the moment one comes.
    static func install(console: Console, message: @escaping @Sendable () -> String) -> Interruption {
        let interruption = Interruption()
        for (number, code) in [(SIGINT, Int32(130)), (SIGTERM, Int32(143))] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                console.err("\n" + message() + "\n")
                exit(code)
            }
            source.resume()
            interruption.sources.append(source)
        }
        return interruption
    }

    /// Back to the default: the command is done with the router.
    func remove() {
        for source in sources { source.cancel() }
        sources = []
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
