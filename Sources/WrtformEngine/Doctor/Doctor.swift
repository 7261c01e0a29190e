/// The recipe's own connectivity checks and its traps, automated and read-only: ONE round trip reads
/// the configs and runs the runtime probes (a snapshot with probes), then every check is decided here,
/// so a doctor run costs one SSH exec and changes nothing on the router.
public struct Doctor: Sendable {
    public var setup: DoctorSetup

    public init(setup: DoctorSetup) {
        self.setup = setup
    }

    /// The files doctor reads.
    public var paths: [String] {
        [ConfigFile.network, ConfigFile.firewall, ConfigFile.rtTables, ConfigFile.sysupgrade]
            + (setup.hookPath.map { [$0] } ?? [])
            + (setup.cronLine == nil ? [] : [ConfigFile.crontab])
    }

    /// Read-only commands run with the snapshot. Tools a router may lack exit 127, reported SKIP.
    public var probes: [RouterProbe] {
        let interface = setup.pppoeInterface
        var probes = [
            RouterProbe(Probe.addr, command: "ip addr show dev \(Shell.quote("pppoe-\(interface)"))"),
            RouterProbe(
                Probe.ifstatus,
                command: "command -v ifstatus >/dev/null || exit 127; ifstatus \(Shell.quote(interface))"),
        ]
        if let table = setup.table {
            probes.append(RouterProbe(Probe.rules, command: "ip -4 rule show"))
            probes.append(RouterProbe(Probe.routes, command: "ip -4 route show table \(Shell.quote(table))"))
        }
        if let port = setup.lowerDevice {
            probes.append(
                RouterProbe(
                    Probe.lowerIPv6,
                    command:
                        "command -v sysctl >/dev/null || exit 127; sysctl -n \(Shell.quote("net.ipv6.conf.\(port).disable_ipv6"))"
                ))
            probes.append(RouterProbe(Probe.lowerLink, command: "ip -o link show dev \(Shell.quote(port))"))
        }
        if setup.cronLine != nil {
            // Whether crond runs now, and starts at boot (enabled: a link in /etc/rc.d).
            probes.append(
                RouterProbe(
                    Probe.cron,
                    command:
                        "command -v pidof >/dev/null || exit 127; pidof crond >/dev/null && echo running; ls /etc/rc.d 2>/dev/null | grep -q 'cron$' && echo enabled; exit 0"
                ))
        }
        if !setup.ipv6Rules.isEmpty && setup.ruleSource != nil {
            probes.append(RouterProbe(Probe.neighbours, command: "ip neigh show"))
        }
        if setup.zone != nil || !setup.ipv6Rules.isEmpty {
            probes.append(RouterProbe(Probe.nft, command: "command -v nft >/dev/null || exit 127; nft list ruleset"))
        }
        if let hook = setup.hookPath {
            probes.append(RouterProbe(Probe.hookSyntax, command: "sh -n \(Shell.quote(hook))"))
            if let tag = setup.logTag, DoctorSetup.isTag(tag) {
                probes.append(
                    RouterProbe(
                        Probe.hookLog,
                        command: "command -v logread >/dev/null || exit 127; logread -e \(Shell.quote(tag)) | tail -n 1"
                    ))
            }
        }
        for (index, host) in setup.hostnames.enumerated() where Self.isHostname(host) {
            probes.append(RouterProbe(Probe.dns(index), command: Self.lookup(host)))
        }
        return probes + setup.packages.probes
    }

    /// Reads the router once (one round trip) and examines what it saw.
    public func run(on target: any RouterTarget) async throws -> [DoctorFinding] {
        examine(try await target.snapshot(paths: paths, run: nil, probes: probes))
    }

    /// Every check, decided on one snapshot. Without probe outputs (a local directory), the checks
    /// of the running system are SKIP.
    public func examine(_ snapshot: Snapshot) -> [DoctorFinding] {
        var examination = DoctorExamination(setup: setup, snapshot: snapshot)
        examination.examineSession()
        examination.examineRouting()
        examination.examineRuleOrder()
        examination.examineFirewall()
        examination.examineIPv6()
        examination.examineInterfaceOptions()
        examination.examineLowerDevice()
        examination.examineConfigTraps()
        examination.examineHook()
        examination.examineCron()
        return examination.findings + setup.packages.findings(in: snapshot)
    }

    /// busybox has no `timeout`: nslookup gets five seconds, then is stopped (exit 143, marked).
    static func lookup(_ host: String) -> String {
        """
        nslookup \(Shell.quote(host)) 2>&1 & p=$!
        ( sleep 5 & s=$!; trap 'kill $s 2>/dev/null; exit 0' TERM; wait $s; kill $p 2>/dev/null ) & k=$!
        wait $p; rc=$?
        kill $k 2>/dev/null
        [ $rc = 143 ] && echo \(NslookupAnswer.timeoutMarker)
        exit $rc
        """
    }

    static func isHostname(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 253 && text.allSatisfy { $0.isASCIIAlnum || $0 == "." || $0 == "-" }
            && !text.hasPrefix("-")
    }

    /// Probe names, shared by `probes` and the examination.
    enum Probe {
        static let addr = "addr"
        static let ifstatus = "ifstatus"
        static let rules = "rules"
        static let routes = "routes"
        static let nft = "nft"
        static let hookSyntax = "hook-syntax"
        static let hookLog = "hook-log"
        static let lowerIPv6 = "lower-ipv6"
        static let lowerLink = "lower-link"
        static let neighbours = "neighbours"
        static let cron = "cron"
        static func dns(_ index: Int) -> String { "dns\(index)" }
    }
}
