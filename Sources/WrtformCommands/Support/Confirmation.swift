/// Asks before writing. Without a terminal there is no one to ask: refuse, and say about --yes.
enum Confirmation {
    static func ask(_ question: String, action: String, printer: Printer) throws {
        guard printer.console.isInteractive else {
            printer.error("refusing to \(action) without --yes: stdin is not a terminal")
            throw ExitWith(code: WrtformExit.failure)
        }
        printer.console.out("\(question) Type 'yes': ")
        guard printer.console.readLine() == "yes" else {
            printer.line("Nothing was changed.")
            throw ExitWith(code: WrtformExit.failure)
        }
    }
}
