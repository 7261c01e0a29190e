import ArgumentParser
import Foundation
import WrtformEngine
import WrtformPlaybook

extension Wrtform {
    struct ImportCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Write a playbook of what the router already has (it plans clean against it).",
            discussion: """
                Reads the router once (a second read only for files /etc/sysupgrade.conf names outside \
                /etc/hotplug.d) and prints a playbook: routing tables, interfaces, zones, forwardings, network \
                rules, redirects, other sections as uci-section, hotplug scripts and sysupgrade.conf lines. \
                What a fresh 24.10 has unchanged is left out. Every step is checked to change nothing on this \
                router. Secret values never appear: they become `secrets:` read from environment variables, \
                whose `export` lines (names only) go to stderr. Without --adopt nothing is written on the router.

                Examples:
                  wrtform import --host 192.168.1.1 -o router.yml
                  wrtform import --root ./backup --config firewall --kind redirect
                  wrtform import --host 192.168.1.1 --name home -o home.yml --adopt
                """)

        @OptionGroup var target: TargetOptions
        @Option(name: [.short, .customLong("output")], help: "Write the playbook to FILE instead of stdout.")
        var output: String?
        @Option(help: "The playbook's name (what --adopt records as the owner; default: the router's hostname).")
        var name: String?
        @Option(help: "Only these configs under /etc/config (comma-separated; default network,firewall).") var config:
            [String] = []
        @Option(help: "Only steps of these kinds (comma-separated, e.g. redirect,firewall-zone).") var kind: [String] =
            []
        @Option(help: "Only these interfaces (comma-separated or repeated; default all).") var interface: [String] = []
        @Flag(help: "Every config on the router, not just network and firewall.") var all = false
        @Flag(help: "Also what a fresh OpenWrt 24.10 has unchanged (defaults, stock zones and rules).")
        var includeStock = false
        @Flag(help: "Record the imported steps as owned by the playbook on the router (one journaled write).")
        var adopt = false
        @Flag(help: "Import even though someone else has uncommitted changes on the router.") var force = false

        static func split(_ values: [String]) -> [String] {
            values.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }.filter {
                !$0.isEmpty
            }
        }

        func validate() throws {
            for kind in Self.split(kind) where StepKind(rawValue: kind) == nil {
                throw ValidationError(
                    "--kind \(kind): not a step kind (one of \(StepKind.names.joined(separator: ", ")))")
            }
            if let name,
                name.isEmpty
                    || !name.unicodeScalars.allSatisfy({
                        $0.isASCII
                            && ($0.properties.isAlphabetic || ("0"..."9").contains($0)
                                || "_-.".unicodeScalars.contains($0))
                    })
            {
                throw ValidationError("--name \(name): use letters, digits, '_', '-' and '.'")
            }
        }

        func run() async throws {
            let console = Console.current
            let plain = Printer(console: console)
            try await reportingErrors(plain, json: nil) {
                try await TargetConnector.withRouter(target, console: console) { router in
                    var options = ImportOptions(
                        configs: config.isEmpty ? nil : Self.split(config), all: all,
                        kinds: kind.isEmpty ? nil : Set(Self.split(kind).compactMap(StepKind.init(rawValue:))),
                        interfaces: interface.isEmpty ? nil : Self.split(interface), includeStock: includeStock)
                    let importer = Importer(options: options)
                    let snapshot = try await importer.snapshot(from: router)
                    for staged in snapshot.stagedChanges {
                        plain.warning("\(staged): the import reads the committed config, without them")
                    }
                    options.name = name ?? Self.defaultName(snapshot.facts.hostname)
                    let imported = try Importer(options: options).run(on: snapshot, source: router.name)
                    let printer = Printer(console: console, secrets: Array(imported.secretValues.values))
                    let yaml = PlaybookWriter.yaml(imported)
                    for warning in imported.warnings { printer.warning(warning) }
                    if let output {
                        do {
                            try yaml.write(toFile: output, atomically: true, encoding: .utf8)
                        } catch {
                            throw EngineError(
                                .invalidInput, "cannot write \(output): \(error.localizedDescription)",
                                hint: "check the directory exists and is writable")
                        }
                        console.err("Wrote \(output): \(imported.steps.count) step(s) from \(router.name).\n")
                    } else {
                        printer.line(yaml.hasSuffix("\n") ? String(yaml.dropLast()) : yaml)
                    }
                    if !imported.secrets.isEmpty {
                        console.err("Set the secrets before plan or apply (values as on the router):\n")
                        for line in imported.exportLines { console.err(printer.scrubber.clean(line) + "\n") }
                    }
                    guard adopt else { return }
                    let plan = try imported.adoptionPlan(on: snapshot, force: force)
                    guard plan.hasChanges else {
                        console.err("Already adopted: the ownership record lists these steps for '\(imported.name)'.\n")
                        return
                    }
                    let applyOptions = ApplyOptions(
                        owner: LocalState.owner(console.environment), playbook: imported.name,
                        localJournalDirectory: LocalState.directory(console.environment))
                    var progress = console
                    progress.out = console.err
                    let result = try await Applier(
                        options: applyOptions, events: EventPrinter(printer: Printer(console: progress), quiet: true)
                    )
                    .apply(plan, to: router)
                    console.err(
                        "Adopted: '\(imported.name)' owns \(imported.steps.count) step(s) on \(router.name) (run \(result.runID ?? "-")); no config changed.\n"
                    )
                }
            }
        }

        /// The router's hostname as a playbook name: "OpenWrt" gives "openwrt".
        static func defaultName(_ hostname: String) -> String {
            let clean = String(
                hostname.lowercased().unicodeScalars.filter {
                    $0.isASCII && (($0.properties.isAlphabetic || ("0"..."9").contains($0)) || $0 == "-" || $0 == "_")
                })
            return clean.isEmpty ? "imported" : clean
        }
    }
}
