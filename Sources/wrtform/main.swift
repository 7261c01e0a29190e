import Foundation
import WrtformCommands

// The whole executable: run the command line, exit with its status.
exit(await Wrtform.run(arguments: Array(CommandLine.arguments.dropFirst())))
