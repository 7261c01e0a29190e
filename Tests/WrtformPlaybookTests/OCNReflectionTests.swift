import Foundation
import Testing
import WrtformEngine
import WrtformUCI

#if canImport(Glibc)
    import Glibc
#endif

/// The kernel's own routing decisions for the rules the OCN playbook writes, in a network namespace
/// of the test's own: br-lan with the server and a LAN client, a veth `pppoe-wanppp` whose peer is
/// the default of table 300, another (`map`) for main's default. NAT reflection delivers the
/// server's answer to a LAN client as a packet from 192.168.1.5 to that client arriving on br-lan
/// (fw4's DNAT and SNAT are undone before routing): it must be routed back into the LAN, while the
/// server's answers to the internet leave over PPPoE. Nothing is sent: `ip route get` asks the FIB.
@Suite struct OCNReflectionTests {
    struct Failure: Error, CustomStringConvertible { let description: String }

    static let server = "192.168.1.5"
    static let client = "192.168.1.23"
    static let visitor = "198.51.100.9"

    @discardableResult
    static func ip(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let output = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw Failure(description: "ip \(arguments.joined(separator: " ")): \(output)")
        }
        return output
    }

    /// The `config rule` sections as `ip rule add` arguments, the way netifd turns them into rules
    /// (`in lan` is br-lan on this router).
    static func ruleArguments(_ network: UCIFile) throws -> [[String]] {
        try network.sections(ofType: "rule").map { rule in
            func value(_ key: String) -> String? {
                switch rule[key] {
                case .single(let text)?: text
                case .list(let items)?: items.first
                case nil: nil
                }
            }
            var arguments: [String] = []
            if let interface = value("in") {
                guard interface == "lan" else {
                    throw Failure(description: "rule in '\(interface)': only lan is wired here")
                }
                arguments += ["iif", "br-lan"]
            }
            if let source = value("src") { arguments += ["from", source] }
            if let table = value("lookup") { arguments += ["lookup", table] }
            if let length = value("suppress_prefixlength") { arguments += ["suppress_prefixlength", length] }
            guard let priority = value("priority") else {
                throw Failure(description: "a rule without a priority: \(rule.options.map(\.key))")
            }
            arguments += ["priority", priority]
            return arguments
        }
    }

    /// Builds the router namespace with `rules` and answers where each packet would go.
    static func decisions(rules: [[String]]) throws -> (lanReply: String, internetReply: String, clientOut: String) {
        guard getuid() == 0 else { throw Failure(description: "needs root for `ip netns` (CI runs as root)") }
        let namespace = "wrtform-refl-\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
        try ip(["netns", "add", namespace])
        defer { _ = try? ip(["netns", "del", namespace]) }
        func r(_ arguments: String...) throws { try ip(["-n", namespace] + arguments) }
        try r("link", "set", "lo", "up")
        try ip([
            "netns", "exec", namespace, "/bin/sh", "-c",
            "echo 1 > /proc/sys/net/ipv4/ip_forward; for f in /proc/sys/net/ipv4/conf/*/rp_filter; do echo 0 > $f; done",
        ])
        try r("link", "add", "br-lan", "type", "bridge")
        try r("addr", "add", "192.168.1.1/24", "dev", "br-lan")
        try r("link", "set", "br-lan", "up")
        for (port, peer) in [("lan1", "srv"), ("lan2", "cli")] {
            try r("link", "add", port, "type", "veth", "peer", "name", peer)
            try r("link", "set", port, "master", "br-lan")
            try r("link", "set", port, "up")
            try r("link", "set", peer, "up")
        }
        // MAP-E's default route in main; PPPoE's in table 300 only, as netifd puts it with ip4table '300'.
        try r("link", "add", "map", "type", "veth", "peer", "name", "map-peer")
        try r("addr", "add", "10.255.0.2/30", "dev", "map")
        try r("link", "add", "pppoe-wanppp", "type", "veth", "peer", "name", "ppp-peer")
        try r("addr", "add", "203.0.113.7/24", "dev", "pppoe-wanppp")
        for device in ["map", "map-peer", "pppoe-wanppp", "ppp-peer"] { try r("link", "set", device, "up") }
        try r("route", "add", "default", "via", "10.255.0.1", "dev", "map")
        try r("route", "add", "default", "via", "203.0.113.1", "dev", "pppoe-wanppp", "table", "300")
        for rule in rules { try ip(["-n", namespace, "rule", "add"] + rule) }

        func route(_ destination: String, from source: String) throws -> String {
            try ip(["-n", namespace, "-4", "route", "get", destination, "from", source, "iif", "br-lan"])
        }
        return (try route(client, from: server), try route(visitor, from: server), try route(visitor, from: client))
    }

    @Test func serverAnswersLANClientsInTheLANAndTheInternetOverPPPoE() async throws {
        let router = try LoaderRouter("ocn-mape")
        defer { router.remove() }
        _ = try await OCNRecipeTests.apply(try OCNRecipeTests.graph(), to: router)
        let rules = try Self.ruleArguments(try OCNRecipeTests.uci(router, "/etc/config/network"))
        #expect(rules.count == 2)
        let seen = try Self.decisions(rules: rules)
        #expect(seen.lanReply.contains("dev br-lan"), "the server's reply to a LAN client: \(seen.lanReply)")
        #expect(
            seen.internetReply.contains("dev pppoe-wanppp"), "the server's reply to a visitor: \(seen.internetReply)")
        #expect(seen.clientOut.contains("dev map"), "another LAN host's traffic: \(seen.clientOut)")
    }

    /// The same namespace with the server's rule alone (the old recipe): the reply to a LAN client
    /// is sent out over PPPoE, which is why LAN clients could not reach the server by its name.
    @Test func withoutTheLANRuleTheReplyToALANClientLeavesOverPPPoE() async throws {
        let router = try LoaderRouter("ocn-mape")
        defer { router.remove() }
        _ = try await OCNRecipeTests.apply(try OCNRecipeTests.graph(), to: router)
        let rules = try Self.ruleArguments(try OCNRecipeTests.uci(router, "/etc/config/network")).filter {
            !$0.contains("suppress_prefixlength")
        }
        #expect(rules.count == 1)
        let seen = try Self.decisions(rules: rules)
        #expect(seen.lanReply.contains("dev pppoe-wanppp"), "\(seen.lanReply)")
    }
}
