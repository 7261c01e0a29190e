import Foundation
import Testing

/// The DDNS hotplug hook (Playbooks/templates/40-pppoe), rendered and run with busybox ash as
/// netifd runs it, in a network namespace of the test's own against a fake Value Domain endpoint
/// that answers 503 to calls less than the interval apart. Interval 2 s, 2 retries.
@Suite struct DDNSHookTests {
    typealias Harness = DDNSHookHarness

    static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    static func encoded(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? "<unencodable>"
    }

    static func logLine(_ message: String) -> String { "-t wrtform-ddns \(message)" }

    /// Runs `body` against a fresh namespace and endpoint, then checks what holds for every run:
    /// the password is in no log line and no state file, and the hook ran no applet OpenWrt
    /// lacks. The namespace, its processes and the files go away even when the body throws.
    func withHarness(_ config: Harness.Config = .init(), _ body: (Harness) async throws -> Void) async throws {
        let harness = try Harness(config)
        defer { harness.close() }
        try await body(harness)
        try await harness.waitUntilQuiet()
        let written = harness.log() + harness.stateFiles().map { "\($0.key): \($0.value)" }
        for secret in [Harness.password, Self.encoded(Harness.password), "S3cr3t"] {
            #expect(!written.contains { $0.contains(secret) }, "the password is in the hook's log or state")
        }
        #expect(harness.forbiddenCalls().isEmpty, "the hook ran applets a stock OpenWrt lacks")
    }

    /// Consecutive calls at least the interval apart, and never one before the last was answered.
    func expectSpaced(_ calls: [Harness.Request], by seconds: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        for (a, b) in zip(calls, calls.dropFirst()) {
            #expect(
                b.start - a.start >= seconds * 100,
                "calls \(b.start - a.start) cs apart, less than \(seconds) s", sourceLocation: sourceLocation)
            #expect(
                a.end.map { b.start >= $0 } == true,
                "a call started before the previous one was answered", sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: [
        Harness.AddressForm.plain("203.0.113.7"),
        Harness.AddressForm.peer("203.0.113.9", peer: "203.0.113.1"),
    ])
    func updatesEveryHostWithOneEncodedCallEach(address: Harness.AddressForm) async throws {
        try await withHarness(.init(hosts: "@ www", address: address)) { hook in
            #expect(try await hook.fire("ifup") == 0)
            try await hook.waitUntilQuiet()

            let calls = hook.requests()
            try #require(calls.count == 2)
            // "@" is the domain itself: no h at all, as Value Domain's own clients send it.
            for (call, host) in zip(calls, ["@", "www"]) {
                #expect(call.path == "/cgi-bin/dyn.fcg")
                #expect(call.parameters.map(\.name) == (host == "@" ? ["d", "p", "i"] : ["d", "p", "h", "i"]))
                #expect(call.value("d") == Harness.domain)
                #expect(call.value("p") == Harness.password)
                #expect(call.value("h") == (host == "@" ? nil : host))
                #expect(call.value("i") == address.address)
                let password = Self.encoded(Harness.password)
                let h = host == "@" ? "" : "&h=\(Self.encoded(host))"
                #expect(call.rawQuery == "d=example.jp&p=\(password)\(h)&i=\(address.address)")
                #expect(call.code == 200)
            }
            expectSpaced(calls, by: 2)
            #expect(
                hook.log() == [
                    Self.logLine("example.jp: updated to \(address.address)"),
                    Self.logLine("www.example.jp: updated to \(address.address)"),
                ])
            #expect(hook.stateFiles()["sent-@"] == "\(address.address)\n")
            #expect(hook.stateFiles()["sent-www"] == "\(address.address)\n")
        }
    }

    @Test func ignoresOtherActionsAndOtherInterfaces() async throws {
        try await withHarness { hook in
            try await hook.fire("ifdown")
            try await hook.fire("ifup-failed")
            try await hook.fire("ifup", interface: "wan")
            try await hook.fire("ifup", interface: "wanppp_6")
            try await hook.fire("ifupdate", interface: "wanppp_6", ["IFUPDATE_ADDRESSES": "1"])
            try await hook.fire("ifupdate")
            try await hook.fire("ifupdate", ["IFUPDATE_ROUTES": "1", "IFUPDATE_PREFIXES": "1"])
            try await hook.waitUntilQuiet()
            #expect(hook.requests().isEmpty)
            #expect(hook.log().isEmpty)
            #expect(!hook.stateDirectoryExists, "a background job was started")

            // The same setup does send for the event the hook is for.
            try await hook.fire("ifup")
            try await hook.waitUntilQuiet()
            #expect(hook.requests().count == 2)
        }
    }

    @Test func sendsNothingForAnUnchangedAddress() async throws {
        try await withHarness(.init(hosts: "www")) { hook in
            try await hook.fire("ifup")
            try await hook.waitUntilQuiet()
            #expect(hook.requests().count == 1)

            try await hook.fire("ifup")
            try await hook.fire("ifupdate", ["IFUPDATE_ADDRESSES": "1"])
            try await hook.waitUntilQuiet()
            #expect(hook.requests().count == 1)
            #expect(
                hook.log().filter { $0 == Self.logLine("www.example.jp: 203.0.113.7 unchanged; nothing sent") }
                    .count == 2, "log: \(hook.log())")

            try hook.setAddress(.peer("203.0.113.42", peer: "203.0.113.1"))
            try await hook.fire("ifupdate", ["IFUPDATE_ADDRESSES": "1"])
            try await hook.waitUntilQuiet()
            let calls = hook.requests()
            try #require(calls.count == 2)
            #expect(calls.map { $0.value("i") } == ["203.0.113.7", "203.0.113.42"])
            #expect(calls.map(\.code) == [200, 200])
            expectSpaced(calls, by: 2)
            #expect(hook.stateFiles()["sent-www"] == "203.0.113.42\n")
        }
    }

    /// netifd waits for each hook before the next event: the call must run in the background.
    /// A second event meanwhile must wait for the first run (the lock), then send its address.
    @Test func hookReturnsWhileItsCallIsInFlightAndRunsNeverOverlap() async throws {
        try await withHarness(.init(hosts: "www")) { hook in
            try hook.closeGate()
            #expect(try await hook.fire("ifup") == 0)
            try await hook.waitForRequests(1)
            #expect(hook.requests().first?.end == nil, "the endpoint answered while its gate was closed")

            try hook.setAddress(.plain("203.0.113.8"))
            #expect(try await hook.fire("ifupdate", ["IFUPDATE_ADDRESSES": "1"]) == 0)
            // Time for a run that ignored the lock to show itself at the endpoint.
            try await Task.sleep(for: .seconds(3))
            #expect(hook.requests().count == 1, "a second run called while the first was in flight")
            try hook.openGate()

            try await hook.waitUntilQuiet()
            let calls = hook.requests()
            try #require(calls.count == 2)
            #expect(calls.map { $0.value("i") } == ["203.0.113.7", "203.0.113.8"])
            #expect(calls.map(\.code) == [200, 200])
            expectSpaced(calls, by: 2)
        }
    }

    @Test(arguments: Harness.WgetFlavor.allCases)
    func retriesABusyAnswerAfterTheInterval(wget: Harness.WgetFlavor) async throws {
        try await withHarness(.init(hosts: "www", wget: wget)) { hook in
            try hook.answerBusy(1)
            try await hook.fire("ifup")
            try await hook.waitUntilQuiet()
            let calls = hook.requests()
            try #require(calls.count == 2)
            #expect(calls.map(\.code) == [503, 200])
            #expect(calls[0].rawQuery == calls[1].rawQuery)
            expectSpaced(calls, by: 2)
            #expect(
                hook.log() == [
                    Self.logLine("www.example.jp: service busy (HTTP 503); retry 1 of 2 in 2s"),
                    Self.logLine("www.example.jp: updated to 203.0.113.7"),
                ])
        }
    }

    @Test func givesUpAfterTheRetriesAndTriesAgainOnTheNextEvent() async throws {
        try await withHarness(.init(hosts: "www", retries: 2)) { hook in
            try hook.answerBusy(99)
            try await hook.fire("ifup")
            try await hook.waitUntilQuiet()
            var calls = hook.requests()
            #expect(calls.map(\.code) == [503, 503, 503])
            expectSpaced(calls, by: 2)
            #expect(
                hook.log().last
                    == Self.logLine(
                        "www.example.jp: service busy (HTTP 503); gave up after 2 retries, 203.0.113.7 not sent"))
            #expect(hook.stateFiles()["sent-www"] == nil)

            try hook.answerBusy(0)
            try await hook.fire("ifup")
            try await hook.waitUntilQuiet()
            calls = hook.requests()
            #expect(calls.map(\.code) == [503, 503, 503, 200])
            expectSpaced(calls, by: 2)
        }
    }

    /// At boot PPPoE often comes up before routes, DNS or the clock: a call that never got an
    /// answer (uclient-fetch exit 4) is retried after a wait that doubles (2 s, then 4 s here).
    @Test func retriesACallThatFailedToConnectWithGrowingWaits() async throws {
        try await withHarness(.init(hosts: "www", retries: 2)) { hook in
            try hook.failConnects(2)
            try await hook.fire("ifup")
            try await hook.waitUntilQuiet()
            let calls = hook.requests()
            try #require(calls.count == 1)
            #expect(calls[0].code == 200)
            let failures = hook.connectFailures()
            try #require(failures.count == 2)
            #expect(failures[1] - failures[0] >= 2, "retried after \(failures[1] - failures[0]) s")
            #expect(Double(calls[0].start) / 100 - failures[1] >= 4, "the second wait did not grow")
            #expect(
                hook.log() == [
                    Self.logLine("www.example.jp: update to 203.0.113.7 failed (wget exit 4); retry 1 of 2 in 2s"),
                    Self.logLine("www.example.jp: update to 203.0.113.7 failed (wget exit 4); retry 2 of 2 in 4s"),
                    Self.logLine("www.example.jp: updated to 203.0.113.7"),
                ])
            #expect(hook.stateFiles()["sent-www"] == "203.0.113.7\n")
        }
    }

    @Test func givesUpOnConnectFailuresAfterTheRetriesAndCronsCheckSendsLater() async throws {
        try await withHarness(.init(hosts: "www", retries: 1)) { hook in
            try hook.failConnects(2)
            try await hook.fire("ifup")
            try await hook.waitUntilQuiet()
            #expect(hook.requests().isEmpty)
            #expect(
                hook.log().last
                    == Self.logLine(
                        "www.example.jp: update to 203.0.113.7 failed (wget exit 4); gave up after 1 retries (cron tries again)"
                    ))
            #expect(hook.stateFiles()["sent-www"] == nil)

            // cron's periodic run: ACTION=check, the same "send if changed" path.
            #expect(try await hook.fire("check") == 0)
            try await hook.waitUntilQuiet()
            #expect(hook.requests().map(\.code) == [200])
            #expect(hook.stateFiles()["sent-www"] == "203.0.113.7\n")
            let logged = hook.log().count
            try await hook.fire("check")
            try await hook.waitUntilQuiet()
            #expect(hook.requests().count == 1, "cron's check sent an unchanged address again")
            #expect(hook.log().count == logged, "cron's check logged an unchanged address (every 10 minutes)")
            try hook.removeAddress()
            try await hook.fire("check")
            try await hook.waitUntilQuiet()
            #expect(hook.log().count == logged, "cron's check logged a session that is down (every 10 minutes)")
        }
    }

    /// uclient-fetch draws its progress line on stderr, without a newline, when the body comes
    /// after the headers: read together with the answer, it hid "status=0" and the update
    /// counted as failed.
    @Test func readsTheAnswerApartFromProgressOnStderr() async throws {
        try await withHarness(.init(hosts: "www")) { hook in
            try hook.slowBodies()
            try await hook.fire("ifup")
            try await hook.waitUntilQuiet()
            #expect(hook.requests().map(\.code) == [200])
            #expect(hook.log() == [Self.logLine("www.example.jp: updated to 203.0.113.7")])
            #expect(hook.stateFiles()["sent-www"] == "203.0.113.7\n")
            #expect(
                hook.stateFiles()["fetch.msgs"] == nil,
                "uclient-fetch's messages (the URL, password and all) were left behind")
        }
    }

    @Test func prefersNetifdsAddressWhereOpenWrtsHelperExists() async throws {
        try await withHarness(.init(hosts: "www", netifdAddress: "198.51.100.4")) { hook in
            try await hook.fire("ifup")
            try await hook.waitUntilQuiet()
            #expect(hook.requests().map { $0.value("i") } == ["198.51.100.4"])
            #expect(hook.networkShCalls() == ["flush", "get wanppp"])
        }
    }

    @Test func withoutItsPasswordFileSendsNothingAndSaysWhy() async throws {
        try await withHarness(.init(writesPasswordFile: false)) { hook in
            try await hook.fire("ifup")
            try await hook.waitUntilQuiet()
            #expect(hook.requests().isEmpty)
            let log = hook.log()
            #expect(log.count == 1)
            #expect(log.first?.hasPrefix(Self.logLine("cannot read the password file /")) == true)
        }
    }

    @Test func withoutAnAddressSendsNothingAndSaysWhy() async throws {
        try await withHarness { hook in
            try hook.removeAddress()
            try await hook.fire("ifup")
            try await hook.waitUntilQuiet()
            #expect(hook.requests().isEmpty)
            #expect(hook.log() == [Self.logLine("no IPv4 address on wanppp (pppoe-wanppp); nothing sent")])
        }
    }

    /// The playbook loader substitutes the values; the script assigns each once, at the top, in
    /// single quotes, and the rendered script parses with both shells.
    @Test func templateAssignsEachValueOnceInSingleQuotesAndParses() throws {
        let template = try String(contentsOf: Harness.template, encoding: .utf8)
        let lines = template.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let firstCommand = try #require(lines.firstIndex { $0.hasPrefix("[") })
        let names = [
            "interface", "ddns_domain", "ddns_hosts", "ddns_endpoint", "ddns_interval", "ddns_retries",
            "ddns_password_file",
        ]
        let placeholderLines = lines.indices.filter { lines[$0].contains("{{") || lines[$0].contains("}}") }
        #expect(placeholderLines.count == names.count)
        for name in names {
            let found = placeholderLines.filter { lines[$0].contains("{{ \(name) }}") }
            #expect(found.count == 1, "{{ \(name) }} appears \(found.count) times")
            for index in found {
                #expect(
                    lines[index].range(of: #"^[A-Z_]+='\{\{ [a-z_]+ \}\}'$"#, options: .regularExpression) != nil,
                    "not a single-quoted assignment: \(lines[index])")
                #expect(index < firstCommand, "assigned after the script starts working: \(lines[index])")
            }
        }

        let values = Dictionary(uniqueKeysWithValues: names.map { ($0, "x") })
            .merging(["ddns_interval": "61", "ddns_retries": "3"]) { $1 }
        let rendered = try Harness.render(template, values: values)
        #expect(!rendered.contains("{{"))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("wrtform-ddns-\(UUID()).sh")
        try Data(rendered.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let sh = try Harness.run(["/bin/sh", "-n", file.path])
        #expect(sh.status == 0, "sh -n: \(sh.output)")
        let ash = try Harness.run(["/bin/busybox", "ash", "-n", file.path])
        #expect(ash.status == 0, "busybox ash -n: \(ash.output)")
    }
}
