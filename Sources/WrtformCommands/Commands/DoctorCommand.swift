import ArgumentParser
import WrtformEngine

extension Wrtform {
    struct DoctorCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "doctor",
            abstract: "Run the recipe's connectivity checks and trap checks, read-only.",
            discussion: """
                One line per check: OK, FAIL (with what to do) or SKIP (what the router cannot tell). Reads the \
                configs and runs the probes (ip addr, ip rule, ip route, nft, nslookup, sh -n) in one round trip. \
                The packages the playbook's package steps name must be installed (a playbook without a PPPoE \
                interface gets these checks alone). \
                Exit status: 0 when nothing failed, 1 otherwise.

                Example:
                  wrtform doctor Playbooks/ocn-dualstack-pppoe.yml --host 192.168.1.1
                """)

        @OptionGroup var playbook: PlaybookOptions
        @OptionGroup var target: TargetOptions
        @Flag(help: "Print one JSON document instead of text.") var json = false

        func run() async throws {
            let console = Console.current
            let printer = Printer(console: console)
            var report = json ? JSONReport(command: "doctor") : nil
            let failed = try await reportingErrors(printer, json: report) {
                let loaded = try LoadedPlaybook(
                    playbook, resolveSecrets: false, console: console,
                    inventory: try InventoryTarget.values(file: target.inventoryFile, limit: target.limit))
                let hostnames = DoctorHostnames.from(loaded.playbook)
                let setup = DoctorSetup(steps: loaded.graph.ordered, hostnames: hostnames)
                let packages = PackageDoctor(steps: loaded.graph.ordered)
                if setup == nil && packages.isEmpty {
                    throw EngineError(
                        .invalidInput,
                        "\(playbook.playbook) has no PPPoE interface step nor package step for doctor to check")
                }
                let (router, findings) = try await TargetConnector.withRouter(target, console: console) { router in
                    // Without a PPPoE interface, the package checks alone.
                    if let setup { return (router, try await Doctor(setup: setup).run(on: router)) }
                    return (router, try await packages.run(on: router))
                }
                if report != nil {
                    report?.target = router.name
                    report?.checks = findings.map {
                        .init(
                            description: "\($0.check): \($0.detail)" + ($0.hint.map { " (\($0))" } ?? ""),
                            status: $0.status.rawValue,
                            id: $0.id, detail: $0.detail, hint: $0.hint)
                    }
                    printer.line(report?.encoded() ?? "")
                } else {
                    for finding in findings {
                        let status: String
                        switch finding.status {
                        case .ok: status = printer.styled("OK  ", .add)
                        case .fail: status = printer.styled("FAIL", .remove)
                        case .skip: status = printer.styled("SKIP", .dim)
                        }
                        var line = "\(status) \(finding.check)"
                        if !finding.detail.isEmpty { line += ": \(finding.detail)" }
                        if let hint = finding.hint { line += " — \(hint)" }
                        printer.line(line)
                    }
                }
                return findings.contains { $0.status == .fail }
            }
            if failed { throw ExitWith(code: WrtformExit.failure) }
        }
    }
}
