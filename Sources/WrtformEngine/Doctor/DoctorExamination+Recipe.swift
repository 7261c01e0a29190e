import WrtformUCI

/// The checks the corrected recipe added: the shared port under PPPoE, rule order for NAT reflection,
/// and the IPv6 half (the traffic rule and the server's address).
extension DoctorExamination {
    // MARK: - The port under the PPPoE session

    /// netifd copies the PPP interface's device options (ipv6, mtu) onto its port unless the port has
    /// a `config device` of its own; IPoE (wan6) and MAP-E need IPv6 on and 1500 bytes there.
    mutating func examineLowerDevice() {
        guard let port = setup.lowerDevice else { return }
        // A port the router does not have: netifd brings nothing up (a typo in wan_device, say).
        let exists = "the router has the port \(port)"
        if let present = snapshot.facts.devices {
            let others = present.filter { $0 != "lo" }.joined(separator: ", ")
            add(
                "device-exists", exists, present.contains(port), "\(port) is in /sys/class/net",
                "no device \(port) on the router (it has: \(others))",
                hint: "point the playbook at the ONU-facing port (--var wan_device=…)")
        } else {
            skip("device-exists", exists, Self.needsLiveRouter)
        }
        let hasSection = !network.sections(ofType: "device").filter { $0["name"]?.items.first == port }.isEmpty
        let iface = network.section(named: interface)
        let leaking = ["ipv6", "mtu"].filter { iface?[$0] != nil }.map { "\($0) '\(iface?[$0]?.items.first ?? "")'" }
        let options = leaking.isEmpty ? "device options" : leaking.joined(separator: " and ")
        add(
            "device-section", "\(port) has a config device section of its own", hasSection,
            "config device name '\(port)'",
            "no config device for \(port): netifd puts \(interface)'s \(options) on \(port) itself",
            hint: "apply the playbook (it adds `config device` with `option name '\(port)'`), then reload the network")

        let sharing = network.sections(ofType: "interface")
            .filter { $0.name != interface && $0["device"]?.items.first == port }.compactMap(\.name)
        let check = "\(port) keeps IPv6 and MTU 1500 for \(sharing.isEmpty ? "IPoE" : sharing.joined(separator: ", "))"
        guard !sharing.isEmpty else {
            skip("lower-device", check, "no other interface uses \(port)")
            return
        }
        guard let sysctl = snapshot.probes[Probe.lowerIPv6], let link = snapshot.probes[Probe.lowerLink] else {
            skip("lower-device", check, Self.needsLiveRouter)
            return
        }
        guard link.status == 0, let mtu = Self.mtu(inLink: link.output) else {
            fail(
                "lower-device", check, "`ip link show dev \(port)` failed: \(link.output.firstLine)",
                hint: "is \(port) the right port?")
            return
        }
        let disabled =
            sysctl.status == 0 ? sysctl.output.split(whereSeparator: \.isWhitespace).first.map(String.init) : nil
        var problems: [String] = []
        if disabled == "1" { problems.append("IPv6 is disabled on \(port) (disable_ipv6 1)") }
        if mtu < 1500 { problems.append("\(port)'s MTU is \(mtu)") }
        let cause =
            hasSection
            ? "something else set it: check `config device` for \(port) and the interfaces on it"
            : "\(interface)'s \(options) reached \(port) (it has no config device section): apply the playbook, then reload the network"
        add(
            "lower-device", check, problems.isEmpty, "disable_ipv6 \(disabled ?? "unknown"), mtu \(mtu)",
            problems.joined(separator: ", "),
            hint: cause)
    }

    /// "mtu N" in `ip -o link show` output.
    static func mtu(inLink output: String) -> Int? {
        let words = output.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
        guard let index = words.firstIndex(of: "mtu"), index + 1 < words.count else { return nil }
        return Int(words[index + 1])
    }

    // MARK: - Rule order: NAT reflection

    /// The server's replies to LAN clients must stay local: a `suppress_prefixlength 0` rule for the same
    /// `in`, looking up main, comes before the server's rule; and every rule has a priority of its own.
    mutating func examineRuleOrder() {
        guard let source = setup.ruleSource, let table = setup.table else { return }
        let names = Set(
            [table] + tables.filter { $0.name == table || String($0.id) == table }.flatMap { [$0.name, String($0.id)] })
        let check = "LAN clients reach the server by its public address (rule order)"
        let rules = network.sections(ofType: "rule")
        guard
            let server = rules.first(where: { rule in
                rule["src"]?.items.first.map(Self.bare) == Self.bare(source)
                    && names.contains(rule["lookup"]?.items.first ?? "")
            })
        else {
            fail(
                "rule-order", check, "no rule from \(source) to table \(table) in /etc/config/network",
                hint: "apply the playbook again")
            return
        }
        let hint =
            "add a rule `in \(server["in"]?.items.first ?? "lan") lookup main suppress_prefixlength 0` with a lower priority number: "
            + "without it the server's replies to LAN clients leave over PPPoE"
        guard let priority = server["priority"]?.items.first.flatMap({ Int($0) }) else {
            fail(
                "rule-order", check, "the server's rule has no priority (netifd numbers it by its place in the file)",
                hint: hint)
            return
        }
        let local = rules.first { rule in
            rule["suppress_prefixlength"]?.items.first == "0" && rule["lookup"]?.items.first == "main"
                && rule["in"]?.items.first == server["in"]?.items.first && rule["src"] == nil
                && (rule["priority"]?.items.first.flatMap { Int($0) }).map { $0 < priority } == true
        }
        add(
            "rule-order", check, local != nil,
            "suppress_prefixlength 0 at \(local?["priority"]?.items.first ?? "") before \(priority)",
            "no suppress_prefixlength 0 rule before the server's (priority \(priority))", hint: hint)
    }

    // MARK: - IPv6: the traffic rule to the server

    mutating func examineIPv6() {
        for rule in setup.ipv6Rules {
            let section = firewall.sections(ofType: "rule").first { $0["name"]?.items.first == rule.name }
            let configured =
                section?["dest_ip"]?.items.contains(rule.destination) == true && section?["enabled"]?.items.first != "0"
            add(
                "ipv6-rule:\(rule.name)", "traffic rule \(rule.name) lets IPv6 reach \(rule.destination)", configured,
                "in /etc/config/firewall",
                section == nil ? "missing from /etc/config/firewall" : "dest_ip or enabled differ from the playbook",
                hint: "apply the playbook again")

            let loadedCheck = "traffic rule \(rule.name) is loaded"
            if let probe = snapshot.probes[Probe.nft], probe.status == 0 {
                let loaded = NftRuleset(probe.output).allRules.contains {
                    $0.contains("comment \"!fw4: \(rule.name)\"")
                }
                add(
                    "ipv6-rule-loaded:\(rule.name)", loadedCheck, loaded, "in fw4's ruleset",
                    "not in `nft list ruleset`",
                    hint:
                        "reload the firewall (/etc/init.d/firewall reload) and read its warnings: fw4 skips a rule it cannot parse"
                )
            } else {
                skip(
                    "ipv6-rule-loaded:\(rule.name)", loadedCheck,
                    snapshot.probes[Probe.nft] == nil ? Self.needsLiveRouter : "no usable nft on this router")
            }

            let serverCheck = "the server's global IPv6 address matches \(rule.destination)"
            guard let neigh = snapshot.probes[Probe.neighbours], neigh.status == 0 else {
                skip(
                    "server-ipv6:\(rule.name)", serverCheck,
                    snapshot.probes[Probe.neighbours] == nil ? Self.needsLiveRouter : "`ip neigh` failed")
                continue
            }
            let entries = Self.neighbours(neigh.output)
            let server = setup.ruleSource.map(Self.bare)
            guard let server, let mac = entries.first(where: { $0.address == server })?.mac else {
                skip(
                    "server-ipv6:\(rule.name)", serverCheck,
                    "the server (\(server ?? "unknown")) is not in the router's neighbour table")
                continue
            }
            let global = entries.filter {
                $0.mac == mac && $0.address.contains(":") && !$0.address.lowercased().hasPrefix("fe80")
            }
            .map(\.address)
            guard !global.isEmpty else {
                skip(
                    "server-ipv6:\(rule.name)", serverCheck,
                    "no global IPv6 address of the server (\(mac)) in the neighbour table")
                continue
            }
            let matching = global.filter { FirewallAddress.ipv6Matches($0, rule.destination) == true }
            add(
                "server-ipv6:\(rule.name)", serverCheck, !matching.isEmpty, matching.joined(separator: ", "),
                "the server (\(mac)) has \(global.joined(separator: ", ")), none matching \(rule.destination)",
                hint:
                    "give the server a stable interface ID (`ip token set ::5 dev IF`, an IPv6 token, or a static suffix), "
                    + "or set server_ipv6_suffix to the one it has (`ip -6 addr` on the server)")
        }
    }

    /// `ip neigh show` lines: address and link-layer address (entries without one are skipped).
    static func neighbours(_ output: String) -> [(address: String, mac: String)] {
        output.split(whereSeparator: \.isNewline).compactMap { line in
            let words = line.split(separator: " ").map(String.init)
            guard let first = words.first, let index = words.firstIndex(of: "lladdr"), index + 1 < words.count else {
                return nil
            }
            return (first, words[index + 1].lowercased())
        }
    }

    // MARK: - cron's DDNS check

    /// The hook's periodic check needs its crontab line, and crond running and enabled (it does not run
    /// while no crontab exists, and stays off after a reboot if disabled).
    mutating func examineCron() {
        guard let line = setup.cronLine else { return }
        let present = state.file(ConfigFile.crontab).text.split(whereSeparator: \.isNewline)
            .contains { $0.split(separator: " ").joined(separator: " ") == line }
        add(
            "cron-line", "the DDNS check is in root's crontab", present,
            "every 10 minutes: \(line.split(separator: " ").prefix(5).joined(separator: " "))",
            "missing from /etc/crontabs/root", hint: "apply the playbook again")
        let check = "cron runs the DDNS check (crond running and enabled)"
        guard let probe = snapshot.probes[Probe.cron] else {
            skip("cron", check, Self.needsLiveRouter)
            return
        }
        guard probe.status != 127 else {
            skip("cron", check, "no pidof on this router")
            return
        }
        let words = Set(probe.output.split(whereSeparator: \.isWhitespace).map(String.init))
        var problems: [String] = []
        if !words.contains("running") { problems.append("crond is not running") }
        if !words.contains("enabled") { problems.append("cron is not enabled at boot") }
        add(
            "cron", check, problems.isEmpty, "crond running, enabled", problems.joined(separator: ", "),
            hint: "/etc/init.d/cron enable && /etc/init.d/cron start")
    }
}
