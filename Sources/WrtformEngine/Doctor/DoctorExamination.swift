import WrtformUCI

/// One doctor run's decisions over one snapshot, check by check, in the order the report prints them.
/// A check whose precondition failed (the session is down, the hook is missing) is SKIP, not a second FAIL.
struct DoctorExamination {
    typealias Probe = Doctor.Probe

    let setup: DoctorSetup
    let snapshot: Snapshot
    let network: UCIFile
    let firewall: UCIFile
    let tables: [(id: Int, name: String)]
    var state: RouterState
    var findings: [DoctorFinding] = []
    /// The PPPoE interface as the running router sees it; nil without live probes.
    var live: InterfaceStatus?

    init(setup: DoctorSetup, snapshot: Snapshot) {
        self.setup = setup
        self.snapshot = snapshot
        var state = RouterState(files: snapshot.files)
        var unreadable: [String] = []
        func read(_ path: String) -> UCIFile {
            do { return try state.uci(path) } catch {
                unreadable.append((error as? EngineError)?.message ?? "\(path): \(error)")
                return UCIFile()
            }
        }
        network = read(ConfigFile.network)
        firewall = read(ConfigFile.firewall)
        tables = RoutingTableStep.entries(state.file(ConfigFile.rtTables).text)
        self.state = state
        if !unreadable.isEmpty {
            findings.append(
                DoctorFinding(
                    id: "configs-parse", "the network and firewall configs parse", .fail,
                    unreadable.joined(separator: "; "),
                    hint: "fix the file on the router first: the checks below read it as empty"))
        }
    }

    var interface: String { setup.pppoeInterface }
    var device: String { "pppoe-\(setup.pppoeInterface)" }

    mutating func add(_ id: String, _ check: String, _ ok: Bool, _ good: String, _ bad: String, hint: String) {
        findings.append(DoctorFinding(id: id, check, ok ? .ok : .fail, ok ? good : bad, hint: ok ? nil : hint))
    }

    mutating func fail(_ id: String, _ check: String, _ detail: String, hint: String) {
        findings.append(DoctorFinding(id: id, check, .fail, detail, hint: hint))
    }

    mutating func skip(_ id: String, _ check: String, _ why: String) {
        findings.append(DoctorFinding(id: id, check, .skip, why))
    }

    static let needsLiveRouter = "needs a live router"

    // MARK: - The PPPoE session and the DDNS names

    mutating func examineSession() {
        let upCheck = "\(interface) is up"
        let publicCheck = "\(interface) has a public IPv4"
        guard let addr = snapshot.probes[Probe.addr] else {
            skip("pppoe-up", upCheck, Self.needsLiveRouter)
            skip("public-ipv4", publicCheck, Self.needsLiveRouter)
            for host in setup.hostnames {
                skip("dns:\(host)", "\(host) resolves to the PPPoE address", Self.needsLiveRouter)
            }
            return
        }
        let kernel = InterfaceStatus.kernel(addr.output, exitStatus: addr.status)
        var status = kernel
        if let probe = snapshot.probes[Probe.ifstatus], probe.status != 127 {
            status = InterfaceStatus.netifd(probe.output)
            status.mtu = kernel.mtu
            if status.address == nil { status.address = kernel.address }
        }
        live = status

        let downHint = "is the session up? `logread -e pppd`; check the PPPoE username and password"
        if status.up {
            let since = status.uptime.map { ", for \($0) s" } ?? ""
            findings.append(DoctorFinding(id: "pppoe-up", upCheck, .ok, "up (\(status.source.rawValue)\(since))"))
        } else if !status.exists {
            fail(
                "pppoe-up", upCheck,
                status.source == .netifd
                    ? "netifd does not know \(interface) (\(status.message))"
                    : "\(device) does not exist (\(status.message))",
                hint: status.source == .netifd ? "apply the playbook, then /etc/init.d/network reload" : downHint)
        } else {
            let errors = status.errors.isEmpty ? "" : ": " + status.errors.joined(separator: ", ")
            fail("pppoe-up", upCheck, "down (\(status.source.rawValue)\(errors))", hint: downHint)
        }

        if !status.up {
            skip("public-ipv4", publicCheck, "\(interface) is down")
        } else if let address = status.address {
            add(
                "public-ipv4", publicCheck, Validate.isPublicIPv4(address), address,
                "\(address) is not a public address",
                hint:
                    "the session got a private or shared (CGNAT) address: the port forward cannot be reached from outside"
            )
        } else {
            fail("public-ipv4", publicCheck, "\(interface) has no IPv4 address", hint: downHint)
        }

        for (index, host) in setup.hostnames.enumerated() {
            let check = "\(host) resolves to the PPPoE address"
            guard Doctor.isHostname(host) else {
                skip("dns:\(host)", check, "'\(host)' is not a host name doctor can look up")
                continue
            }
            guard let probe = snapshot.probes[Probe.dns(index)] else {
                skip("dns:\(host)", check, Self.needsLiveRouter)
                continue
            }
            guard status.up, let address = status.address else {
                skip("dns:\(host)", check, "no PPPoE address to compare with")
                continue
            }
            let answer = NslookupAnswer(probe.output)
            let logHint = setup.logTag.map { "see the hook's log: logread -e \($0)" } ?? "check the DDNS update"
            if answer.timedOut {
                fail(
                    "dns:\(host)", check, "nslookup gave no answer within 5 s",
                    hint: "check the router's resolver (dnsmasq) and upstream DNS")
            } else if answer.addresses.isEmpty {
                fail(
                    "dns:\(host)", check,
                    "\(host) does not resolve" + (answer.message.isEmpty ? "" : " (\(answer.message))"), hint: logHint)
            } else {
                add(
                    "dns:\(host)", check, answer.addresses.contains(address), "\(host) → \(address)",
                    "\(host) → \(answer.addresses.joined(separator: ", ")), not \(address)",
                    hint: logHint + "; a fresh update can take the record's TTL to show")
            }
        }
    }

    // MARK: - Routing: the rule, the table, the metrics

    mutating func examineRouting() {
        if let table = setup.table {
            let names = Set(
                [table]
                    + tables.filter { $0.name == table || String($0.id) == table }.flatMap { [$0.name, String($0.id)] })
            let check = "the policy rule to table \(table) is installed"
            if let probe = snapshot.probes[Probe.rules] {
                let ours = IPRuleLine.parse(probe.output).filter { $0.lookup.map(names.contains) ?? false }
                let source = setup.ruleSource.map(Self.bare)
                let wide = source == nil || source == "all" || source?.hasSuffix("/0") == true
                let expected =
                    source.map { source in ours.first { $0.from == source } } ?? ours.first { !$0.isNetifdOwn }
                let everyone = wide ? nil : ours.first { $0.from == "all" && $0.to == nil && !$0.isNetifdOwn }
                if let everyone {
                    fail(
                        "rule-installed", check, "`ip rule` sends every host to table \(table): \(everyone.text)",
                        hint:
                            "24.10's netifd reads a rule's src without a prefix length as /0: write src '\(source ?? "")/32' and reload the network"
                    )
                } else if let expected {
                    findings.append(DoctorFinding(id: "rule-installed", check, .ok, expected.text))
                } else {
                    fail(
                        "rule-installed", check,
                        "no rule\(source.map { " from \($0)" } ?? "") to table \(table) in `ip rule`",
                        hint:
                            "reload the network (/etc/init.d/network reload); netifd drops a rule whose table is not in rt_tables"
                    )
                }
            } else {
                skip("rule-installed", check, Self.needsLiveRouter)
            }

            let routeCheck = "table \(table) has a default route"
            if let probe = snapshot.probes[Probe.routes] {
                let defaultRoute = probe.output.split(whereSeparator: \.isNewline).first {
                    String($0).trimmingSpaces.hasPrefix("default")
                }
                if probe.status != 0 {
                    fail(
                        "table-route", routeCheck, "`ip route show table \(table)` failed: \(probe.output.firstLine)",
                        hint: "add the table to /etc/iproute2/rt_tables")
                } else if let defaultRoute {
                    findings.append(
                        DoctorFinding(id: "table-route", routeCheck, .ok, String(defaultRoute).trimmingSpaces))
                } else {
                    fail(
                        "table-route", routeCheck, "table \(table) has no default route",
                        hint: live?.up == true
                            ? "netifd adds it when \(interface) comes up with ip4table '\(table)': reload the network"
                            : "it appears once \(interface) is up")
                }
            } else {
                skip("table-route", routeCheck, Self.needsLiveRouter)
            }
        }

        if let wan = setup.wanInterface {
            let check = "\(wan)'s metric is below \(interface)'s"
            let hint =
                "a default route in main with a lower metric wins: give \(wan) the lower metric (1) and \(interface) a higher one (10) "
                + "(with ip4table, \(interface)'s default route stays in its own table anyway)"
            guard let wanSection = network.section(named: wan) else {
                fail("metric", check, "interface \(wan) is not in /etc/config/network", hint: hint)
                return
            }
            func metric(_ section: UCISection?) -> (Int, String) {
                guard let text = section?["metric"]?.items.first else { return (0, "unset (0)") }
                return (Int(text) ?? 0, text)
            }
            let (wanMetric, wanText) = metric(wanSection)
            let (pppMetric, pppText) = metric(network.section(named: interface))
            add(
                "metric", check, wanMetric < pppMetric, "\(wan) \(wanText) < \(interface) \(pppText)",
                "\(wan) \(wanText) ≥ \(interface) \(pppText)", hint: hint)
        }
    }

    // MARK: - The PPPoE interface's options: the recipe's traps

    mutating func examineInterfaceOptions() {
        let iface = network.section(named: interface)
        let checks = [
            ("peerdns", "peerdns is off on \(interface)"), ("mtu", "\(interface)'s MTU is at most \(setup.maxMTU)"),
            ("ipv6", "ipv6 is off on \(interface)"),
        ]
        guard let iface, iface.type == "interface" else {
            fail(
                "pppoe-config", "interface \(interface) is configured (proto pppoe)",
                "\(interface) is not in /etc/config/network",
                hint: "apply the playbook")
            for (id, check) in checks { skip(id, check, "no interface \(interface) in /etc/config/network") }
            return
        }
        let proto = iface["proto"]?.items.first ?? "unset"
        add(
            "pppoe-config", "interface \(interface) is configured (proto pppoe)", proto == "pppoe", "proto pppoe",
            "proto is \(proto)",
            hint: "apply the playbook again")

        let peerdns = iface["peerdns"]?.items.first
        add(
            "peerdns", checks[0].1, peerdns == "0", "peerdns 0", "peerdns is \(peerdns ?? "unset (on)")",
            hint: "set peerdns '0': the ISP's resolvers would replace yours and LAN hosts fail to resolve")

        // pppd takes the MTU from pppd_options (appended last, so it wins); an interface `mtu` also reaches pppd.
        let options = (iface["pppd_options"]?.items ?? []).flatMap { $0.split(separator: " ").map(String.init) }
        let fromPppd = options.firstIndex(of: "mtu").flatMap {
            options.indices.contains($0 + 1) ? Int(options[$0 + 1]) : nil
        }
        let configured = fromPppd ?? iface["mtu"]?.items.first.flatMap { Int($0) }
        let running = live?.mtu
        var detail =
            configured.map { fromPppd != nil ? "pppd_options mtu \($0)" : "mtu \($0)" } ?? "mtu unset (pppd uses 1492)"
        if let running { detail += ", running \(running)" }
        add(
            "mtu", checks[1].1, (configured ?? 1492) <= setup.maxMTU && (running ?? 0) <= setup.maxMTU, detail, detail,
            hint:
                "set pppd_options 'mtu \(setup.maxMTU) mru \(setup.maxMTU)': FLET'S PPPoE carries \(setup.maxMTU); larger segments stall (pages load, images don't)"
        )

        let ipv6 = iface["ipv6"]?.items.first
        add(
            "ipv6", checks[2].1, ipv6 == "0", "ipv6 0", "ipv6 is \(ipv6 ?? "unset (auto)")",
            hint: "set ipv6 '0': IPv6 already comes over IPoE, and auto adds a DHCPv6 interface \(interface)_6")
    }

    // MARK: - Traps anywhere in the configs, and others mid-change

    mutating func examineConfigTraps() {
        var bare: [String] = []
        var unknownTables: Set<String> = []
        let known = Set(tables.map(\.name))
        func isUnknown(_ table: String) -> Bool {
            Int(table) == nil && !RoutingTables.isBuiltIn(table) && !known.contains(table)
        }
        for rule in network.sections(ofType: "rule") + network.sections(ofType: "rule6") {
            for key in ["src", "dest"] {
                if let value = rule[key]?.items.first, !value.contains("/") {
                    bare.append("\(rule.type) \(key) '\(value)'")
                }
            }
            if let lookup = rule["lookup"]?.items.first, isUnknown(lookup) { unknownTables.insert(lookup) }
        }
        for section in network.sections(ofType: "interface") {
            for key in ["ip4table", "ip6table"] {
                if let table = section[key]?.items.first, isUnknown(table) { unknownTables.insert(table) }
            }
        }
        add(
            "rule-prefix", "every rule's address has a prefix length", bare.isEmpty, "ok",
            "no prefix length: \(bare.joined(separator: ", "))",
            hint: "24.10's netifd reads a bare address as /0 (every host): write it as A.B.C.D/32")
        add(
            "rt-tables", "every table name is in rt_tables", unknownTables.isEmpty, "ok",
            "not in /etc/iproute2/rt_tables: \(unknownTables.sorted().joined(separator: ", "))",
            hint: "netifd silently drops rules and routes with unknown tables: add the table to /etc/iproute2/rt_tables"
        )
        add(
            "staged", "nobody is mid-change", snapshot.stagedChanges.isEmpty, "no staged or pending changes",
            snapshot.stagedChanges.joined(separator: "; "),
            hint: "save & apply or revert them in LuCI (or `uci revert`)")
    }

    /// "192.168.1.5/32" as `ip rule` prints it: "192.168.1.5".
    static func bare(_ prefix: String) -> String {
        prefix.hasSuffix("/32") || prefix.hasSuffix("/128") ? String(prefix.prefix { $0 != "/" }) : prefix
    }
}
