import WrtformUCI

/// The recipe's own connectivity checks and troubleshooting, automated and read-only: one round
/// trip reads the configs and runs the runtime probes, then every check is decided here.
public struct Doctor: Sendable {
    public var setup: DoctorSetup

    public init(setup: DoctorSetup) {
        self.setup = setup
    }

    public var paths: [String] {
        [ConfigFile.network, ConfigFile.firewall, ConfigFile.rtTables, ConfigFile.sysupgrade] + (setup.hookPath.map { [$0] } ?? [])
    }

    public var probes: [RouterProbe] {
        let device = "pppoe-\(setup.pppoeInterface)"
        var probes = [
            RouterProbe("addr", command: "ip -4 -o addr show dev '\(device)'"),
            RouterProbe("rules", command: "ip -4 rule show"),
            RouterProbe("nft", command: "command -v nft >/dev/null || exit 127; nft list ruleset"),
        ]
        if let table = setup.table { probes.append(RouterProbe("routes", command: "ip -4 route show table '\(table)'")) }
        if let hook = setup.hookPath {
            probes.append(RouterProbe("hook-syntax", command: "sh -n '\(hook)'"))
            probes.append(RouterProbe("hook-log", command: "command -v logread >/dev/null || exit 127; logread -e wrtform-ddns | tail -n 1"))
        }
        for (index, host) in setup.hostnames.enumerated() where Self.isHostname(host) {
            // busybox has no `timeout`: give nslookup five seconds, then stop it.
            probes.append(RouterProbe("dns\(index)", command: """
                nslookup '\(host)' 2>&1 & p=$!; i=0; while kill -0 $p 2>/dev/null && [ $i -lt 5 ]; do sleep 1; i=$((i+1)); done; kill $p 2>/dev/null; wait $p
                """))
        }
        return probes
    }

    static func isHostname(_ text: String) -> Bool {
        !text.isEmpty && text.allSatisfy { $0.isASCIIAlnum || $0 == "." || $0 == "-" }
    }

    public func examine(_ snapshot: Snapshot) -> [DoctorFinding] {
        var state = RouterState(files: snapshot.files)
        let network = (try? state.uci(ConfigFile.network)) ?? UCIFile()
        let firewall = (try? state.uci(ConfigFile.firewall)) ?? UCIFile()
        let name = setup.pppoeInterface
        var findings: [DoctorFinding] = []
        func add(_ check: String, _ ok: Bool, _ good: String, _ bad: String, hint: String? = nil) {
            findings.append(DoctorFinding(check, ok ? .ok : .fail, ok ? good : bad, hint: ok ? nil : hint))
        }
        func skip(_ check: String, _ why: String) { findings.append(DoctorFinding(check, .skip, why)) }

        // The PPPoE session and its address.
        let iface = network.section(named: name)
        var address: String?
        if let probe = snapshot.probes["addr"] {
            address = Self.ipv4(in: probe.output)
            if let address {
                add("\(name) has a public IPv4", Self.isPublic(address), "\(address)", "\(address) is not a public address",
                    hint: "the PPPoE session got a private or shared address: check the ISP account")
            } else {
                add("\(name) has a public IPv4", false, "", "pppoe-\(name) has no IPv4 address (\(probe.output.firstLine))",
                    hint: "is the session up? `logread -e pppd`; check the PPPoE username and password")
            }
        } else {
            skip("\(name) has a public IPv4", "needs a live router")
        }
        for (index, host) in setup.hostnames.enumerated() {
            guard let probe = snapshot.probes["dns\(index)"] else { skip("\(host) resolves to the PPPoE address", "needs a live router"); continue }
            guard let address else { skip("\(host) resolves to the PPPoE address", "no PPPoE address to compare"); continue }
            let answers = probe.output.split(whereSeparator: \.isNewline).filter { $0.contains("Address") }.joined(separator: " ")
            add("\(host) resolves to the PPPoE address", answers.contains(address), "\(host) → \(address)",
                "\(host) does not resolve to \(address)", hint: "see the hook's log: logread -e wrtform-ddns")
        }

        // Routing: the rule, the table, the metrics.
        if let table = setup.table {
            if let rules = snapshot.probes["rules"]?.output {
                let source = setup.ruleSource.map { Self.bare($0) }
                let installed = rules.split(whereSeparator: \.isNewline).contains { line in
                    line.contains("lookup \(table)") && (source.map { line.contains("from \($0) ") || line.hasSuffix("from \($0)") } ?? true)
                }
                add("the policy rule to table \(table) is installed", installed, "found in `ip rule`", "no rule to table \(table) in `ip rule`",
                    hint: "reload the network (/etc/init.d/network reload) and check the rule's lookup name is in rt_tables")
            } else {
                skip("the policy rule to table \(table) is installed", "needs a live router")
            }
            if let routes = snapshot.probes["routes"] {
                add("table \(table) has a default route", routes.output.contains("default"), "default route present",
                    "table \(table) has no default route", hint: "the route appears when \(name) is up (ip4table '\(table)')")
            } else {
                skip("table \(table) has a default route", "needs a live router")
            }
        }
        if let wan = setup.wanInterface {
            let wanMetric = network.section(named: wan)?["metric"]?.items.first.flatMap { Int($0) }
            let pppMetric = iface?["metric"]?.items.first.flatMap { Int($0) }
            if let wanMetric, let pppMetric {
                add("\(wan)'s metric is below \(name)'s", wanMetric < pppMetric, "\(wanMetric) < \(pppMetric)", "\(wanMetric) ≥ \(pppMetric)",
                    hint: "the router's own traffic must keep leaving over \(wan): give it the lower metric")
            } else {
                add("\(wan)'s metric is below \(name)'s", false, "", "metric unset on \(wanMetric == nil ? wan : name)",
                    hint: "set metric 1 on \(wan) and 10 on \(name)")
            }
        }

        // Firewall: zone, forwarding, redirects, and what fw4 actually loaded.
        if let zoneName = setup.zone {
            let zone = firewall.sections(ofType: "zone").first { $0["name"]?.items.first == zoneName }
            let covers = (zone?["network"]?.items ?? []).flatMap { $0.split(separator: " ").map(String.init) }.contains(name)
            let masq = zone?["masq"]?.items.first == "1"
            let mtuFix = zone?["mtu_fix"]?.items.first == "1"
            add("zone \(zoneName) masquerades, clamps MSS and covers \(name)", zone != nil && covers && masq && mtuFix, "ok",
                zone == nil ? "zone \(zoneName) does not exist" : "masq \(masq ? "on" : "off"), mtu_fix \(mtuFix ? "on" : "off"), covers \(name): \(covers ? "yes" : "no")",
                hint: "apply the playbook again")
            if let source = setup.forwardingSource {
                let exists = !firewall.sections(ofType: "forwarding", matching: ["src": .single(source), "dest": .single(zoneName)]).isEmpty
                add("forwarding \(source) → \(zoneName) exists", exists, "ok", "missing", hint: "apply the playbook again")
            }
            for port in setup.redirectPorts {
                let exists = !firewall.sections(ofType: "redirect", matching: ["src": .single(zoneName), "src_dport": .single(port)]).isEmpty
                add("port forward \(zoneName):\(port) exists", exists, "ok", "missing", hint: "apply the playbook again")
                if let nft = snapshot.probes["nft"], nft.status != 127 {
                    let loaded = nft.output.split(whereSeparator: \.isNewline).contains { $0.contains("dport \(port)") && $0.contains("dnat") }
                    add("port forward \(port) is in the loaded ruleset", loaded, "found in `nft list ruleset`", "not in `nft list ruleset`",
                        hint: "reload the firewall (/etc/init.d/firewall reload) and read its warnings")
                } else {
                    skip("port forward \(port) is in the loaded ruleset", "no nft on this router")
                }
            }
        }

        // The PPPoE interface's options: the recipe's traps.
        if let iface {
            add("peerdns is off on \(name)", iface["peerdns"]?.items.first == "0", "peerdns 0", "peerdns is on",
                hint: "set peerdns '0': the ISP's resolvers would replace yours and LAN hosts fail to resolve")
            let mtu = iface["mtu"]?.items.first.flatMap { Int($0) }
            add("\(name)'s MTU is at most \(setup.maxMTU)", (mtu ?? 1492) <= setup.maxMTU, "mtu \(mtu ?? 1492)",
                "mtu \(mtu.map(String.init) ?? "unset (1492)")",
                hint: "set mtu '\(setup.maxMTU)': FLET'S PPPoE carries \(setup.maxMTU); larger segments stall (pages load, images don't)")
            add("ipv6 is off on \(name)", iface["ipv6"]?.items.first == "0", "ipv6 0", "ipv6 is \(iface["ipv6"]?.items.first ?? "unset (auto)")",
                hint: "set ipv6 '0': IPv6 already comes over IPoE, and auto adds a DHCPv6 interface \(name)_6")
        } else {
            add("interface \(name) exists", false, "", "interface \(name) is not in /etc/config/network", hint: "apply the playbook")
        }
        let tables = Set(RoutingTableStep.entries(state.file(ConfigFile.rtTables).text).map(\.name))
        var badRules: [String] = []
        var unknownTables: [String] = []
        for rule in network.sections(ofType: "rule") + network.sections(ofType: "rule6") {
            for key in ["src", "dest"] { if let value = rule[key]?.items.first, !value.contains("/") { badRules.append("\(key) '\(value)'") } }
            if let lookup = rule["lookup"]?.items.first, Int(lookup) == nil, !RoutingTables.isBuiltIn(lookup), !tables.contains(lookup) {
                unknownTables.append(lookup)
            }
        }
        for section in network.sections(ofType: "interface") {
            for key in ["ip4table", "ip6table"] {
                if let table = section[key]?.items.first, Int(table) == nil, !RoutingTables.isBuiltIn(table), !tables.contains(table) {
                    unknownTables.append(table)
                }
            }
        }
        add("every rule's address has a prefix length", badRules.isEmpty, "ok", "bare \(badRules.joined(separator: ", "))",
            hint: "24.10's netifd reads a bare address as /0: write it as A.B.C.D/32")
        add("every table name is in rt_tables", unknownTables.isEmpty, "ok", "not in rt_tables: \(Array(Set(unknownTables)).sorted().joined(separator: ", "))",
            hint: "netifd silently drops rules with unknown tables: add the table to /etc/iproute2/rt_tables")
        add("nobody is mid-change", snapshot.stagedChanges.isEmpty, "no staged or pending changes", snapshot.stagedChanges.joined(separator: "; "),
            hint: "save/apply or revert them in LuCI")

        // The hook and persistence.
        if let hook = setup.hookPath {
            let file = state.file(hook)
            if file.exists {
                let worldWritable = (Int(file.mode, radix: 8) ?? 0) & 0o022 != 0
                add("\(hook) is installed", !worldWritable, "mode \(file.mode)", "mode \(file.mode) is writable by others",
                    hint: "chmod 0644 \(hook)")
                if let syntax = snapshot.probes["hook-syntax"] {
                    add("\(hook) parses (sh -n)", syntax.status == 0, "ok", syntax.output.firstLine, hint: "re-apply the playbook")
                }
                if let log = snapshot.probes["hook-log"], log.status != 127 {
                    findings.append(DoctorFinding("the hook's last log line", .ok, log.output.firstLine.isEmpty ? "(none yet)" : log.output.firstLine))
                }
            } else {
                add("\(hook) is installed", false, "", "missing", hint: "apply the playbook")
            }
            let kept = Set(state.file(ConfigFile.sysupgrade).text.split(whereSeparator: \.isNewline).map { String($0).trimmingSpaces })
            let missing = [ConfigFile.rtTables, hook].filter { !kept.contains($0) }
            add("rt_tables and the hook survive a sysupgrade", missing.isEmpty, "listed in /etc/sysupgrade.conf",
                "not in /etc/sysupgrade.conf: \(missing.joined(separator: ", "))", hint: "add a sysupgrade-keep step")
        }
        return findings
    }

    static func ipv4(in output: String) -> String? {
        for line in output.split(whereSeparator: \.isNewline) {
            let words = line.split(separator: " ")
            if let index = words.firstIndex(of: "inet"), index + 1 < words.count {
                let address = String(words[index + 1].split(separator: "/")[0])
                if Validate.ipv4(address) { return address }
            }
        }
        return nil
    }

    static func bare(_ prefix: String) -> String {
        prefix.hasSuffix("/32") || prefix.hasSuffix("/128") ? String(prefix.split(separator: "/")[0]) : prefix
    }

    static func isPublic(_ address: String) -> Bool {
        let octets = address.split(separator: ".").compactMap { Int($0) }
        guard octets.count == 4 else { return false }
        switch (octets[0], octets[1]) {
        case (10, _), (127, _), (0, _), (169, 254), (192, 168): return false
        case (172, 16...31), (100, 64...127): return false
        default: return octets[0] < 224
        }
    }
}

extension String {
    var firstLine: String { split(whereSeparator: \.isNewline).first.map(String.init) ?? "" }
}
