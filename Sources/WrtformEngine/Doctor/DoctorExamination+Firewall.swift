import WrtformUCI

/// Firewall: the configs, and what fw4 actually loaded.
extension DoctorExamination {
    mutating func examineFirewall() {
        guard let zoneName = setup.zone else { return }
        let zone = firewall.sections(ofType: "zone").first { $0["name"]?.items.first == zoneName }
        let covers = (zone?["network"]?.items ?? []).flatMap { $0.split(separator: " ").map(String.init) }.contains(
            interface)
        let masq = zone?["masq"]?.items.first == "1"
        let mtuFix = zone?["mtu_fix"]?.items.first == "1"
        let zoneCheck = "zone \(zoneName) masquerades, clamps MSS and covers \(interface)"
        if zone == nil {
            fail("zone", zoneCheck, "zone \(zoneName) is not in /etc/config/firewall", hint: "apply the playbook again")
        } else {
            var missing: [String] = []
            if !masq { missing.append("masq is off") }
            if !mtuFix { missing.append("mtu_fix is off") }
            if !covers { missing.append("network does not list \(interface)") }
            add(
                "zone", zoneCheck, missing.isEmpty, "masq 1, mtu_fix 1, network \(interface)",
                missing.joined(separator: ", "),
                hint: "apply the playbook again (without mtu_fix large transfers over PPPoE stall)")
        }
        if let source = setup.forwardingSource {
            let exists = !firewall.sections(
                ofType: "forwarding", matching: ["src": .single(source), "dest": .single(zoneName)]
            ).isEmpty
            add(
                "forwarding", "forwarding \(source) → \(zoneName) exists", exists, "in /etc/config/firewall",
                "missing from /etc/config/firewall",
                hint: "apply the playbook again")
        }
        for port in setup.redirectPorts {
            let exists = !firewall.sections(
                ofType: "redirect", matching: ["src": .single(zoneName), "src_dport": .single(port)]
            ).isEmpty
            add(
                "redirect:\(port)", "port forward \(zoneName):\(port) exists", exists, "in /etc/config/firewall",
                "missing from /etc/config/firewall",
                hint: "apply the playbook again")
        }

        // What fw4 loaded: the chains it renders for the zone, the forwarding and each port forward.
        let loadedChecks =
            [("zone-loaded", "zone \(zoneName) is loaded (masquerade, MSS clamping)")]
            + (setup.forwardingSource.map { [("forwarding-loaded", "forwarding \($0) → \(zoneName) is loaded")] } ?? [])
            + setup.redirectPorts.map { ("redirect-loaded:\($0)", "port forward \(zoneName):\($0) is loaded") }
        guard let probe = snapshot.probes[Probe.nft] else {
            for (id, check) in loadedChecks { skip(id, check, Self.needsLiveRouter) }
            return
        }
        guard probe.status != 127 else {
            for (id, check) in loadedChecks { skip(id, check, "no nft on this router") }
            return
        }
        guard probe.status == 0 else {
            for (id, check) in loadedChecks {
                fail(
                    id, check, "`nft list ruleset` failed: \(probe.output.firstLine)",
                    hint: "run it on the router and read the error")
            }
            return
        }
        let ruleset = NftRuleset(probe.output)
        let reloadHint = "reload the firewall (/etc/init.d/firewall reload), read its warnings, and `fw4 check`"
        var zoneMissing: [String] = []
        if ruleset.chains["srcnat_\(zoneName)"] == nil && ruleset.chains["input_\(zoneName)"] == nil {
            zoneMissing.append("fw4 has no chains for zone \(zoneName)")
        } else {
            if !ruleset.rules("srcnat_\(zoneName)").contains(where: { $0.contains("masquerade") }) {
                zoneMissing.append("no masquerade in srcnat_\(zoneName)")
            }
            if !ruleset.allRules.contains(where: { $0.contains("maxseg size set") && $0.contains("Zone \(zoneName) ") })
            {
                zoneMissing.append("no MSS clamping for zone \(zoneName)")
            }
            if live?.up == true
                && !ruleset.allRules.contains(where: {
                    $0.contains("jump srcnat_\(zoneName)") && $0.contains("\"\(device)\"")
                })
            {
                zoneMissing.append("the zone does not cover \(device)")
            }
        }
        add(
            "zone-loaded", "zone \(zoneName) is loaded (masquerade, MSS clamping)", zoneMissing.isEmpty,
            "srcnat_\(zoneName) masquerades, MSS clamped", zoneMissing.joined(separator: ", "), hint: reloadHint)
        if let source = setup.forwardingSource {
            let loaded = ruleset.rules("forward_\(source)").contains {
                NftRuleset.has($0, "jump", "accept_to_\(zoneName)")
            }
            add(
                "forwarding-loaded", "forwarding \(source) → \(zoneName) is loaded", loaded,
                "forward_\(source) jumps to accept_to_\(zoneName)",
                "forward_\(source) has no jump to accept_to_\(zoneName)", hint: reloadHint)
        }
        for port in setup.redirectPorts {
            let loaded = ruleset.rules("dstnat_\(zoneName)").contains {
                NftRuleset.has($0, "dport", port) && $0.contains("dnat")
            }
            add(
                "redirect-loaded:\(port)", "port forward \(zoneName):\(port) is loaded", loaded,
                "dnat in dstnat_\(zoneName)",
                "no dnat for port \(port) in dstnat_\(zoneName)", hint: reloadHint)
        }
    }
}
