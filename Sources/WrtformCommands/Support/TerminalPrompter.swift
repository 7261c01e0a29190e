import Foundation
import WrtformPlaybook

/// Asks for a secret on the terminal with echo off.
struct TerminalPrompter: SecretPrompter {
    var console: Console

    /// With the progress line out of the way: a passphrase is asked while the connection opens.
    func prompt(_ message: String) throws -> String {
        guard let display = console.progress else { return ask(message) }
        return display.paused { ask(message) }
    }

    private func ask(_ message: String) -> String {
        console.err(message + ": ")
        var saved = termios()
        let isTerminal = tcgetattr(STDIN_FILENO, &saved) == 0
        if isTerminal {
            var silent = saved
            silent.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(STDIN_FILENO, TCSANOW, &silent)
        }
        defer {
            if isTerminal { tcsetattr(STDIN_FILENO, TCSANOW, &saved) }
            console.err("\n")
        }
        return console.readLine() ?? ""
    }
}
