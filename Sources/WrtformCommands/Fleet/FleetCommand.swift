import ArgumentParser
import Foundation
import WrtformEngine
import WrtformPlaybook

/// `wrtform fleet plan|apply|… PLAYBOOK --inventory FILE [--limit P] [--shard I/N] [--parallel N]`: the
/// same command once per selected host, each exactly as `--inventory FILE --limit HOST` would run it (its own
/// connection, lock, journal, watchdog), output buffered per host so lines never interleave, then a summary.
struct FleetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet", abstract: "Run a command across the hosts of an inventory, in parallel.",
        discussion: """
            Runs COMMAND (validate, plan, apply, rollback, history, facts, doctor) once per selected host, as \
            COMMAND … --inventory FILE --limit HOST would. Each host's output is printed whole under its name, \
            then a summary: host, result (plan counts, the applied run, the failure's reason, or not attempted), \
            time. With --json after the command: one document whose hosts array holds each host's own document. \
            Exit status: 1 if any host failed or was not attempted, else 2 if any has pending changes, else 0. \
            A plain command whose --inventory selects several hosts runs this way too.

            Examples:
              wrtform fleet --inventory fleet.yml --limit 'home,ap-*' plan site.yml
              wrtform fleet --inventory fleet.yml --serial 1,25%,100% apply site.yml --yes
              wrtform fleet --inventory fleet.yml --shard 2/4 plan site.yml --json
            """)

    @Option(help: "The inventory file.")
    var inventory: String

    @Option(help: "Comma-separated host names, group names and shell globs (default: every host).")
    var limit: String?

    @Option(help: "Only shard I of N of the selected hosts (stable by host name): --shard 2/4.")
    var shard: String?

    @Option(help: "How many hosts at once.")
    var parallel: Int = 10

    @Option(
        help: "Batches: --serial 1,25%,100% runs one host, then 25% of the hosts, then the rest (last size repeats).")
    var serial: String?

    @Option(help: "Once more than N hosts have failed, no further batch starts.")
    var maxFailures: Int = 0

    @Argument(parsing: .captureForPassthrough, help: "The command and its arguments: plan PLAYBOOK …")
    var command: [String] = []

    func validate() throws {
        guard parallel >= 1 else { throw ValidationError("--parallel takes 1 or more") }
        guard let first = command.first, FleetRun.commands.contains(first) else {
            throw ValidationError("name the command to run per host: \(FleetRun.commands.joined(separator: ", "))")
        }
        // Each host's output is printed after it ran: there is no one to ask per host.
        if first == "apply" && !command.contains("--yes") {
            throw ValidationError("apply on several hosts needs --yes (plan them first: wrtform fleet … plan …)")
        }
        if first == "rollback" && !command.contains("--yes") && !command.contains("--dry-run") {
            throw ValidationError("rollback on several hosts needs --yes or --dry-run")
        }
        if command.contains(where: { ["--host", "--inventory", "--limit", "--root"].contains($0) }) {
            throw ValidationError(
                "fleet picks the routers from --inventory: no --host, --limit or --root after the command")
        }
    }

    func run() async throws {
        let console = Console.current
        let json = command.contains("--json")
        let savedPlans = FleetSavedPlans(command)
        // A bad inventory, selection, --serial or --out: one error, as a JSON document under --json.
        let batches = try await reportingErrors(
            Printer(console: console), json: json ? JSONReport(command: "fleet") : nil
        ) {
            if let savedPlans {
                try SavedPlanFile.checkOut(savedPlans.path)
                // Made once before the hosts plan at once (or a weak or exposed key refused once).
                _ = try SavedPlanFile.key(console.environment, create: true)
            }
            let loaded = try Inventory.load(path: inventory)
            var hosts = try InventorySelection.select(loaded, limit: limit)
            if let shard {
                let (index, count) = try InventorySelection.parseShard(shard)
                let all = hosts.count
                hosts = InventorySelection.shard(hosts, index: index, count: count)
                // Not an error: a CI matrix may have more shards than a small selection has hosts.
                if hosts.isEmpty && !json {
                    console.err("shard \(shard) holds none of the \(all) selected hosts: nothing to do\n")
                }
            }
            return try FleetBatches.split(hosts.map(\.name), serial: serial)
        }
        let runner = FleetRun(command: command, inventory: inventory, parallel: parallel)
        var results: [FleetRun.HostResult] = []
        var notAttempted: [String] = []
        for batch in batches {
            if results.filter({ $0.failed }).count > maxFailures {
                notAttempted += batch
                continue
            }
            results += await SavedPlanCollector.$current.withValue(savedPlans?.collector) {
                await runner.run(batch, console: console)
            }
        }
        var code = notAttempted.isEmpty ? FleetRun.exitCode(results.map(\.code)) : WrtformExit.failure
        // Written before the summary, so that a file that could not be written is in it and its exit code.
        var saved: String?
        var saveFailure: EngineError?
        do {
            saved = try savedPlans?.write(environment: console.environment)
        } catch {
            saveFailure =
                error as? EngineError ?? EngineError(.invalidInput, "cannot save the plans: \(error)", hint: nil)
            code = WrtformExit.failure
        }
        let name = command.first ?? ""
        if json {
            // stdout is the one document; whatever the hosts said on stderr stays there, under their names.
            for result in results where !result.stderr.isEmpty {
                console.err("── \(result.host) ──\n" + result.stderr)
            }
            console.out(
                FleetReport.json(
                    results, notAttempted: notAttempted, command: name, exitCode: code, error: saveFailure,
                    savedPlan: saved == nil ? nil : savedPlans?.path) + "\n")
        } else {
            for result in results {
                console.out("── \(result.host) ──\n")
                console.out(result.stdout)
                console.err(result.stderr)
            }
            console.out(FleetReport.table(results, notAttempted: notAttempted, command: name))
        }
        // On stderr: under --json, stdout is the fleet's one document.
        if let saved { console.err(saved + "\n") }
        if let saveFailure, !json { Printer(console: console).error(saveFailure.description) }
        if code != 0 { throw ExitWith(code: code) }
    }
}
