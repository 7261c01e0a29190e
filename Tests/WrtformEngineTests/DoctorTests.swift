import Foundation
import Testing
import VirtualRouter
import WrtformEngine

/// `wrtform doctor` against the virtual router: the recipe applied, the live parts stubbed (see
/// DoctorStubs: scripts in /usr/sbin shadow busybox's ip and nslookup; ifstatus and nft are
/// installed where OpenWrt has them). Every run must be ONE exec round trip and change nothing.
@Suite struct DoctorTests {
    /// Every check in report order, as it reads on a router where the recipe works.
    static let healthy: [(String, CheckResult.Status)] = [
        ("pppoe-up", .ok), ("public-ipv4", .ok), ("dns:\(DoctorStubs.host)", .ok),
        ("rule-installed", .ok), ("table-route", .ok), ("metric", .ok), ("rule-order", .ok),
        ("zone", .ok), ("forwarding", .ok), ("redirect:443", .ok),
        ("zone-loaded", .ok), ("forwarding-loaded", .ok), ("redirect-loaded:443", .ok),
        ("ipv6-rule:server-https-v6", .ok), ("ipv6-rule-loaded:server-https-v6", .ok),
        ("server-ipv6:server-https-v6", .ok),
        ("pppoe-config", .ok), ("peerdns", .ok), ("mtu", .ok), ("ipv6", .ok), ("device-exists", .ok),
        ("device-section", .ok),
        ("lower-device", .ok),
        ("rule-prefix", .ok), ("rt-tables", .ok), ("staged", .ok),
        ("hook", .ok), ("hook-syntax", .ok), ("hook-log", .ok), ("sysupgrade", .ok), ("cron-line", .ok), ("cron", .ok),
    ]

    /// A router state that breaks some checks: what to do to the applied router, and which checks
    /// must then read differently from `healthy` (all others must stay OK).
    struct Breakage: Sendable, CustomTestStringConvertible {
        var name: String
        var stubs = DoctorStubs()
        var edit: @Sendable (VirtualRouter) throws -> Void = { _ in }
        var expected: [String: CheckResult.Status]
        /// A piece of the changed checks' details, to show doctor says why.
        var detail: (id: String, contains: String)?

        var testDescription: String { name }
    }

    static func edit(_ path: String, _ transform: @escaping @Sendable (String) -> String)
        -> @Sendable (VirtualRouter) throws -> Void
    {
        { router in try router.write(path, transform(router.read(path))) }
    }

    static let breakages: [Breakage] = {
        var list: [Breakage] = []
        func add(
            _ name: String, _ expected: [String: CheckResult.Status], detail: (String, String)? = nil,
            stubs: (inout DoctorStubs) -> Void = { _ in },
            edit: @escaping @Sendable (VirtualRouter) throws -> Void = { _ in }
        ) {
            var s = DoctorStubs()
            stubs(&s)
            list.append(
                Breakage(
                    name: name, stubs: s, edit: edit, expected: expected,
                    detail: detail.map { (id: $0.0, contains: $0.1) }))
        }
        let host = "dns:\(DoctorStubs.host)"
        // The session.
        add(
            "session down (ifstatus AUTH_FAILED)",
            ["pppoe-up": .fail, "public-ipv4": .skip, host: .skip, "table-route": .fail],
            detail: ("pppoe-up", "down (ifstatus: AUTH_FAILED)")
        ) { s in
            s.ifstatus = .init(
                text:
                    "{ \"up\": false, \"pending\": false, \"available\": true, \"errors\": [ { \"subsystem\": \"pppoe\", \"code\": \"AUTH_FAILED\" } ] }"
            )
            s.addr = DoctorStubs.noDevice
            s.routes = .init(text: "")
        }
        add(
            "session down, no ifstatus (ip addr)",
            ["pppoe-up": .fail, "public-ipv4": .skip, host: .skip, "table-route": .fail],
            detail: ("pppoe-up", "pppoe-wanppp does not exist")
        ) { s in
            s.ifstatus = nil
            s.addr = DoctorStubs.noDevice
            s.routes = .init(text: "")
        }
        add(
            "netifd does not know wanppp", ["pppoe-up": .fail, "public-ipv4": .skip, host: .skip],
            detail: ("pppoe-up", "netifd does not know wanppp")
        ) { s in
            s.ifstatus = .init(text: "Interface wanppp not found", status: 1)
        }
        add("CGNAT address", ["public-ipv4": .fail], detail: ("public-ipv4", "100.64.7.9 is not a public address")) {
            s in
            s.ifstatus = .init(
                text: "{ \"up\": true, \"ipv4-address\": [ { \"address\": \"100.64.7.9\", \"mask\": 32 } ] }")
            s.nslookup = [DoctorStubs.host: DoctorStubs.answer(DoctorStubs.host, "100.64.7.9")]
        }
        add("DDNS name points elsewhere", [host: .fail], detail: (host, "→ 153.240.10.21, not 153.240.10.20")) { s in
            s.nslookup = [DoctorStubs.host: DoctorStubs.answer(DoctorStubs.host, "153.240.10.21")]
        }
        add("DDNS name points at a longer address with ours as a prefix", [host: .fail]) { s in
            s.nslookup = [DoctorStubs.host: DoctorStubs.answer(DoctorStubs.host, "153.240.10.201")]
        }
        add("DDNS name does not exist", [host: .fail], detail: (host, "NXDOMAIN")) { s in
            s.nslookup = [DoctorStubs.host: DoctorStubs.notFound(DoctorStubs.host)]
        }
        add("resolver never answers", [host: .fail], detail: (host, "no answer within 5 s")) { s in
            s.hangingLookups = [DoctorStubs.host]
            s.nslookup = [:]
        }
        // Routing.
        add(
            "rule not installed", ["rule-installed": .fail],
            detail: ("rule-installed", "no rule from 192.168.1.5 to table pppoe")
        ) { s in
            s.rules = .init(
                text:
                    "0:\tfrom all lookup local\n10000:\tfrom \(DoctorStubs.address) lookup pppoe\n32766:\tfrom all lookup main\n32767:\tfrom all lookup default"
            )
        }
        add(
            "rule installed as from all (the /0 trap, live)", ["rule-installed": .fail],
            detail: ("rule-installed", "sends every host to table pppoe")
        ) { s in
            s.rules = .init(
                text:
                    "0:\tfrom all lookup local\n32765:\tfrom all iif br-lan lookup pppoe\n32766:\tfrom all lookup main")
        }
        add("ip prints the table by number", [:]) { s in
            s.rules = .init(
                text:
                    "0:\tfrom all lookup local\n32765:\tfrom 192.168.1.5 iif br-lan lookup 300\n32766:\tfrom all lookup main"
            )
        }
        add("no default route in table pppoe", ["table-route": .fail], detail: ("table-route", "has no default route"))
        { s in
            s.routes = .init(
                text: "\(DoctorStubs.peer) dev pppoe-wanppp proto kernel scope link src \(DoctorStubs.address)")
        }
        add(
            "wan's metric not below wanppp's", ["metric": .fail], detail: ("metric", "wan 10 ≥ wanppp 10"),
            edit: edit("/etc/config/network") {
                $0.replacingOccurrences(of: "option metric '1'", with: "option metric '10'")
            })
        // Firewall config.
        add(
            "zone without masq", ["zone": .fail], detail: ("zone", "masq is off"),
            edit: edit("/etc/config/firewall") {
                $0.replacingOccurrences(
                    of: "\toption masq '1'\n\toption mtu_fix '1'\n\tlist network 'wanppp'",
                    with: "\toption mtu_fix '1'\n\tlist network 'wanppp'")
            })
        add(
            "forwarding missing", ["forwarding": .fail],
            edit: edit("/etc/config/firewall") {
                $0.replacingOccurrences(of: "option dest 'wan_pppoe'", with: "option dest 'wan'")
            })
        add(
            "port forward missing", ["redirect:443": .fail],
            edit: edit("/etc/config/firewall") {
                $0.replacingOccurrences(of: "option src_dport '443'", with: "option src_dport '8443'")
            })
        // What fw4 loaded.
        add(
            "ruleset without masquerade and MSS clamping", ["zone-loaded": .fail],
            detail: ("zone-loaded", "no masquerade in srcnat_wan_pppoe, no MSS clamping for zone wan_pppoe")
        ) { s in
            s.nft = .init(text: DoctorStubs.ruleset(masquerade: false, mssFix: false))
        }
        add("ruleset without the forwarding", ["forwarding-loaded": .fail]) { s in
            s.nft = .init(text: DoctorStubs.ruleset(forwarding: false))
        }
        add("ruleset forwards 4433, not 443", ["redirect-loaded:443": .fail]) { s in
            s.nft = .init(text: DoctorStubs.ruleset(dnatPort: "4433"))
        }
        add(
            "no nft on the router",
            [
                "zone-loaded": .skip, "forwarding-loaded": .skip, "redirect-loaded:443": .skip,
                "ipv6-rule-loaded:server-https-v6": .skip,
            ],
            detail: ("zone-loaded", "no nft on this router")
        ) { s in s.nft = nil }
        // The PPPoE interface's options.
        add(
            "peerdns on", ["peerdns": .fail],
            edit: edit("/etc/config/network") { $0.replacingOccurrences(of: "\toption peerdns '0'\n", with: "") })
        add(
            "mtu unset", ["mtu": .fail], detail: ("mtu", "mtu unset (pppd uses 1492)"),
            edit: edit("/etc/config/network") {
                $0.replacingOccurrences(of: "\toption pppd_options 'mtu 1454 mru 1454'\n", with: "")
            })
        // The shared port (issue: wanppp's ipv6 '0' and mtu reached wan, killing wan6 and MAP-E).
        add(
            "no device section for wan, IPv6 off on it", ["device-section": .fail, "lower-device": .fail],
            detail: ("lower-device", "IPv6 is disabled on wan (disable_ipv6 1)"),
            stubs: { $0.disableIPv6 = .init(text: "1") },
            edit: edit("/etc/config/network") {
                $0.replacingOccurrences(of: "\nconfig device\n\toption name 'wan'\n", with: "")
            })
        add("wan shrunk to 1454", ["lower-device": .fail], detail: ("lower-device", "wan's MTU is 1454")) { s in
            s.link.text = s.link.text.replacingOccurrences(of: "mtu 1500", with: "mtu 1454")
        }
        // NAT reflection: the LAN's suppress_prefixlength rule must come first.
        add(
            "no suppress_prefixlength rule", ["rule-order": .fail],
            detail: ("rule-order", "no suppress_prefixlength 0 rule before the server's (priority 5001)"),
            edit: edit("/etc/config/network") {
                $0.replacingOccurrences(of: "\toption suppress_prefixlength '0'\n", with: "")
            })
        add(
            "server's rule without a priority", ["rule-order": .fail],
            detail: ("rule-order", "the server's rule has no priority"),
            edit: edit("/etc/config/network") { $0.replacingOccurrences(of: "\toption priority '5001'\n", with: "") })
        // The IPv6 half.
        add(
            "IPv6 rule missing from the config", ["ipv6-rule:server-https-v6": .fail],
            edit: edit("/etc/config/firewall") { $0.replacingOccurrences(of: "'server-https-v6'", with: "'other'") })
        add("IPv6 rule not loaded", ["ipv6-rule-loaded:server-https-v6": .fail]) {
            $0.nft = .init(text: DoctorStubs.ruleset(ipv6Rule: false))
        }
        add(
            "server on another interface ID", ["server-ipv6:server-https-v6": .fail],
            detail: ("server-ipv6:server-https-v6", "has 240b:10:2a40:7b00:1c2d:3e4f:5a6b:7c8d, none matching ::5/-64")
        ) { s in
            s.neighbours.text = s.neighbours.text.replacingOccurrences(
                of: "240b:10:2a40:7b00::5 ", with: "240b:10:2a40:7b00:1c2d:3e4f:5a6b:7c8d ")
        }
        // cron's DDNS check.
        add("crond not running", ["cron": .fail], detail: ("cron", "crond is not running")) { $0.crondRunning = false }
        add("cron disabled at boot", ["cron": .fail], detail: ("cron", "cron is not enabled at boot")) {
            $0.cronEnabled = false
        }
        add(
            "the DDNS check missing from the crontab", ["cron-line": .fail],
            edit: edit("/etc/crontabs/root") { $0.replacingOccurrences(of: "ACTION=check", with: "ACTION=ifup") })
        add("server not in the neighbour table", ["server-ipv6:server-https-v6": .skip]) { $0.neighbours.text = "" }
        add("running MTU above 1454", ["mtu": .fail], detail: ("mtu", "running 1492")) { s in
            s.addr.text = s.addr.text.replacingOccurrences(of: "mtu 1454", with: "mtu 1492")
        }
        add(
            "ipv6 auto", ["ipv6": .fail],
            edit: edit("/etc/config/network") { $0.replacingOccurrences(of: "\toption ipv6 '0'\n", with: "") })
        add(
            "wanppp missing from the config",
            ["pppoe-config": .fail, "peerdns": .skip, "mtu": .skip, "ipv6": .skip, "metric": .fail],
            edit: edit("/etc/config/network") {
                $0.replacingOccurrences(of: "config interface 'wanppp'", with: "config interface 'wanppp_old'")
            })
        // Traps in the configs.
        add(
            "rule with a bare src", ["rule-prefix": .fail], detail: ("rule-prefix", "rule src '192.168.1.5'"),
            edit: edit("/etc/config/network") { $0.replacingOccurrences(of: "'192.168.1.5/32'", with: "'192.168.1.5'") }
        )
        add(
            "table name not in rt_tables", ["rt-tables": .fail],
            detail: ("rt-tables", "not in /etc/iproute2/rt_tables: pppoe"),
            edit: edit("/etc/iproute2/rt_tables") { $0.replacingOccurrences(of: "300\tpppoe\n", with: "") })
        add(
            "uncommitted uci changes", ["staged": .fail], detail: ("staged", "/tmp/.uci/network"),
            edit: { try $0.write("/tmp/.uci/network", "network.lan.ipaddr='10.0.0.1'\n") })
        add(
            "a LuCI session's staged changes", ["staged": .fail], detail: ("staged", "/var/run/rpcd/uci-"),
            edit: { try $0.write("/tmp/run/rpcd/uci-0123abcd/firewall", "firewall.@zone[1].input='ACCEPT'\n") })
        add(
            "a LuCI apply waiting for confirmation", ["staged": .fail],
            detail: ("staged", "/var/run/rpcd/snapshot-files"),
            edit: { try $0.write("/tmp/run/rpcd/snapshot-files/network", "config interface 'lan'\n") })
        // The hook and persistence.
        add(
            "hook missing", ["hook": .fail, "hook-syntax": .skip, "hook-log": .skip],
            edit: {
                try FileManager.default.removeItem(at: $0.root.appendingPathComponent("etc/hotplug.d/iface/40-pppoe"))
            })
        add(
            "hook writable by others", ["hook": .fail], detail: ("hook", "mode 0666 lets others rewrite"),
            edit: {
                try FileManager.default.setAttributes(
                    [.posixPermissions: 0o666],
                    ofItemAtPath: $0.root.appendingPathComponent("etc/hotplug.d/iface/40-pppoe").path)
            })
        add(
            "hook edited into a syntax error", ["hook": .fail, "hook-syntax": .fail],
            detail: ("hook", "content differs from the playbook's"),
            edit: edit("/etc/hotplug.d/iface/40-pppoe") { $0 + "if [ -n \"$DEVICE\" ]; then\n" })
        add(
            "hook's last log line is a failure", ["hook-log": .fail], detail: ("hook-log", "update failed: badauth"),
            edit: { router in _ = try router.runInSandbox("logger -t wrtform-ddns 'update failed: badauth'") })
        add(
            "rt_tables and hook not kept over a sysupgrade", ["sysupgrade": .fail],
            detail: (
                "sysupgrade", "not in /etc/sysupgrade.conf: /etc/iproute2/rt_tables, /etc/hotplug.d/iface/40-pppoe"
            ),
            edit: edit("/etc/sysupgrade.conf") {
                $0.replacingOccurrences(of: "/etc/iproute2/rt_tables\n", with: "").replacingOccurrences(
                    of: "/etc/hotplug.d/iface/40-pppoe\n", with: "")
            })
        add(
            "a directory entry in sysupgrade.conf keeps the hook", [:],
            edit: edit("/etc/sysupgrade.conf") {
                $0.replacingOccurrences(of: "/etc/hotplug.d/iface/40-pppoe\n", with: "/etc/hotplug.d/\n")
            })
        add(
            "network config uci cannot read (quote left open on the password line)",
            [
                "configs-parse": .fail, "pppoe-config": .fail, "peerdns": .skip, "mtu": .skip, "ipv6": .skip,
                "metric": .fail,
                "rule-order": .fail, "device-section": .fail, "lower-device": .skip,
            ],
            detail: ("configs-parse", "/etc/config/network:45:27: unexpected extra word after option NAME VALUE"),
            edit: edit("/etc/config/network") {
                $0.replacingOccurrences(of: StepBuilder.pppoePassword + "'", with: StepBuilder.pppoePassword)
            })
        return list
    }()

    /// Runs doctor once over a fresh connection and checks it was one exec and wrote nothing.
    static func examine(_ router: VirtualRouter, _ doctor: Doctor) async throws -> [DoctorFinding] {
        let before = TreeImage.of(router.root)
        let commands = try router.commandLog().count
        let target = router.sshTarget()
        let findings = try await doctor.run(on: target)
        #expect(await target.roundTrips() == 1)
        await target.close()
        #expect(try router.commandLog().count == commands + 1)
        let after = TreeImage.of(router.root)
        #expect(
            after == before,
            "doctor changed \(Set(after.keys).symmetricDifference(before.keys).sorted()) or their content")
        return findings
    }

    static func statuses(_ findings: [DoctorFinding]) -> [String: CheckResult.Status] {
        Dictionary(findings.map { ($0.id, $0.status) }, uniquingKeysWith: { first, _ in first })
    }

    @Test func everythingPassesOnAWorkingRouter() async throws {
        try await withVirtualRouter { router in
            try await DoctorRecipe.apply(to: router)
            try DoctorStubs().install(on: router)
            _ = try router.runInSandbox(
                "logger -t wrtform-ddns 'updated \(DoctorStubs.host) to \(DoctorStubs.address)'")
            let findings = try await Self.examine(router, try DoctorRecipe.doctor())
            #expect(findings.map(\.id) == Self.healthy.map(\.0))
            for finding in findings where finding.status != .ok {
                Issue.record("\(finding.id): \(finding.status.rawValue) \(finding.detail)")
            }
            let byID = Dictionary(findings.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            #expect(byID["pppoe-up"]?.detail == "up (ifstatus, for 3600 s)")
            #expect(byID["public-ipv4"]?.detail == DoctorStubs.address)
            #expect(byID["rule-installed"]?.detail == "32765:\tfrom 192.168.1.5 iif br-lan lookup pppoe")
            #expect(byID["table-route"]?.detail == "default via \(DoctorStubs.peer) dev pppoe-wanppp proto static")
            #expect(byID["metric"]?.detail == "wan 1 < wanppp 10")
            #expect(byID["mtu"]?.detail == "pppd_options mtu 1454, running 1454")
            #expect(byID["lower-device"]?.detail == "disable_ipv6 0, mtu 1500")
            #expect(byID["server-ipv6:server-https-v6"]?.detail == "240b:10:2a40:7b00::5")
            #expect(byID["rule-order"]?.detail == "suppress_prefixlength 0 at 5000 before 5001")
            #expect(
                byID["hook-log"]?.detail.hasSuffix(
                    "wrtform-ddns: updated \(DoctorStubs.host) to \(DoctorStubs.address)") == true)
            #expect(findings.allSatisfy { $0.hint == nil })
        }
    }

    @Test(arguments: DoctorTests.breakages)
    func eachBrokenStateFailsItsCheck(_ breakage: Breakage) async throws {
        try await withVirtualRouter { router in
            try await DoctorRecipe.apply(to: router)
            try breakage.stubs.install(on: router)
            _ = try router.runInSandbox(
                "logger -t wrtform-ddns 'updated \(DoctorStubs.host) to \(DoctorStubs.address)'")
            try breakage.edit(router)
            let findings = try await Self.examine(router, try DoctorRecipe.doctor())
            let got = Self.statuses(findings)
            let ids =
                Self.healthy.map(\.0) + breakage.expected.keys.filter { key in !Self.healthy.contains { $0.0 == key } }
            for id in ids {
                let want = breakage.expected[id] ?? .ok
                let finding = findings.first { $0.id == id }
                #expect(
                    got[id] == want,
                    "\(id): want \(want.rawValue), got \(got[id]?.rawValue ?? "nothing") (\(finding?.detail ?? ""))")
            }
            #expect(Set(got.keys) == Set(ids))
            // Doctor reads files holding secrets; no line of its report may show one.
            let report = findings.map { "\($0.check) \($0.detail) \($0.hint ?? "")" }.joined(separator: "\n")
            #expect(!report.contains(StepBuilder.pppoePassword) && !report.contains("ddns-S3cr3t"))
            for finding in findings where finding.status == .fail {
                #expect(finding.hint?.isEmpty == false, "\(finding.id) fails without saying what to do")
            }
            if let detail = breakage.detail {
                let finding = findings.first { $0.id == detail.id }
                #expect(finding?.detail.contains(detail.contains) == true, "\(detail.id): '\(finding?.detail ?? "")'")
            }
        }
    }
}

/// Doctor on a router's files alone (a local directory): the configs are checked, the running
/// system cannot be, and says so.
@Suite struct DoctorOfflineTests {
    @Test func liveChecksSkipOnALocalDirectory() async throws {
        let copy = try RouterCopy()
        defer { copy.remove() }
        let target = try LocalDirectoryTarget(root: copy.root)
        let graph = try DoctorRecipe.graph()
        let plan = try Planner().plan(graph, on: try await target.snapshot(paths: Planner.paths(for: graph), run: nil))
        _ = try await Applier(options: ApplyOptions(owner: "tester@ci", playbook: "ocn", confirmTimeout: nil)).apply(
            plan, to: target)
        let doctor = try DoctorRecipe.doctor()
        let findings = try await doctor.run(on: target)
        // The same router as a live one would report it, with and without its `wan` port.
        var snapshot = try await target.snapshot(paths: doctor.paths, run: nil)
        snapshot.facts.devices = ["lo", "eth0", "lan1", "wan"]
        #expect(doctor.examine(snapshot).first { $0.id == "device-exists" }?.status == .ok)
        snapshot.facts.devices = ["lo", "eth0", "lan1"]
        let missing = doctor.examine(snapshot).first { $0.id == "device-exists" }
        #expect(missing?.status == .fail)
        #expect(missing?.detail == "no device wan on the router (it has: eth0, lan1)")
        let live: Set<String> = [
            "pppoe-up", "public-ipv4", "dns:\(DoctorStubs.host)", "rule-installed", "table-route",
            "zone-loaded", "forwarding-loaded", "redirect-loaded:443", "hook-syntax", "hook-log",
            "ipv6-rule-loaded:server-https-v6", "server-ipv6:server-https-v6", "lower-device", "cron", "device-exists",
        ]
        #expect(findings.map(\.id) == DoctorTests.healthy.map(\.0))
        for finding in findings {
            #expect(
                finding.status == (live.contains(finding.id) ? .skip : .ok),
                "\(finding.id): \(finding.status.rawValue) \(finding.detail)")
        }
        #expect(findings.first { $0.id == "pppoe-up" }?.detail == "needs a live router")
    }
}
