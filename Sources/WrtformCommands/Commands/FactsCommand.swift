import ArgumentParser
import WrtformEngine

extension Wrtform {
    struct FactsCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "facts",
            abstract: "Show what the router is and has, read in one round trip.",
            discussion: """
                The OpenWrt release, host name, which of uci, jsonfilter, ubus, ifstatus, nft, fw4 exist, the package \
                manager (opkg or apk) with its version and how many packages are installed, and the config files; with --json also the network devices the router has and those its \
                network config declares.

                Examples:
                  wrtform facts --host 192.168.1.1
                  wrtform facts --host 192.168.1.1 --json
                """)

        @OptionGroup var target: TargetOptions
        @Flag(help: "Print one JSON document instead of text.") var json = false

        func run() async throws {
            let console = Console.current
            let printer = Printer(console: console)
            let report = json ? JSONReport(command: "facts") : nil
            try await reportingErrors(printer, json: report) {
                let (router, snapshot) = try await TargetConnector.withRouter(target, console: console) { router in
                    (router, try await router.snapshot(paths: [], run: nil, probes: [CommandRound.packagesProbe]))
                }
                var facts = snapshot.facts
                if let packages = CommandRound.packages(in: snapshot) {
                    facts.packageManagerVersion = packages.managerVersion
                    facts.installedPackages = packages.manager == "none" ? nil : packages.installed.count
                }
                if var report {
                    report.target = router.name
                    report.facts = facts
                    printer.line(report.encoded())
                    return
                }
                printer.line("target:    \(router.name)")
                printer.line(
                    "release:   \(facts.release["DISTRIB_DESCRIPTION"] ?? facts.release["DISTRIB_RELEASE"] ?? "unknown (no /etc/openwrt_release)")"
                )
                printer.line("hostname:  \(facts.hostname.isEmpty ? "unknown" : facts.hostname)")
                printer.line(
                    "tools:     "
                        + facts.tools.keys.sorted().map { "\($0) \(facts.tools[$0] == true ? "yes" : "no")" }.joined(
                            separator: ", "))
                printer.line(
                    "packages:  \(facts.packageManager)"
                        + (facts.packageManagerVersion.map { " \($0)" } ?? "")
                        + (facts.installedPackages.map { " (\($0) installed)" } ?? ""))
                printer.line("configs:   \(facts.configs.joined(separator: ", "))")
            }
        }
    }
}
