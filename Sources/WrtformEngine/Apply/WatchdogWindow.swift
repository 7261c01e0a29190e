/// How long the router's watchdog waits for confirmation, for the write that arms it.
///
/// The write round trip arms the watchdog before it replaces the first file, so a client that dies
/// between the write and the reload is covered as well; the reload re-arms it. `RouterTarget`'s
/// `write(_:)` takes only the transaction (a shared API), so the Applier hands the window down as
/// a task-local value. nil: no watchdog at the write (`--no-confirm`, or a caller other than the
/// Applier; the reload still arms one when asked).
enum WatchdogWindow {
    @TaskLocal static var seconds: Int?
}
