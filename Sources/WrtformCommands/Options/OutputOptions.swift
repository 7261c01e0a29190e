import ArgumentParser

/// How much a command tells about its work with the router.
struct OutputOptions: ParsableArguments {
    @Flag(
        name: [.short, .long],
        help: "Print each round trip to the router (what, bytes, time; never contents) on stderr.")
    var verbose = false
}
