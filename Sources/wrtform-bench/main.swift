// Benchmarks print numbers; nothing here asserts a time.
// Usage: wrtform-bench <benchmark>. Add a benchmark as one `case` line.
let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "uci": UCIBenchmark.run()
case "engine": try await EngineBenchmark.run()
case "ssh": try await runSSHBenchmark()
case "fleet": try await FleetBenchmark.run()
default: print("usage: wrtform-bench <benchmark>   benchmarks: uci, ssh, engine, fleet")
}
