import WrtformCommands

// The whole executable: parse the command line and run the command.
await Wrtform.main()
