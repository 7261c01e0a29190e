import Foundation
import Testing
import VirtualRouter
import WrtformEngine
import WrtformSSH
import WrtformUCI

/// An attacker's view: a router that is not the one we know, playbook values that try to become
/// shell, secrets looked for where other users (or logs) could see them.
@Suite struct FaultSecurityTests {
    @Test func changedHostKeyIsRefusedBeforeAnythingRuns() async throws {
        try await withVirtualRouter { router in
            try await router.replaceHostKey()
            let log = router.stateDirectory.appendingPathComponent("dropbear.log")
            let logBefore = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            let target = router.sshTarget()
            let error = await #expect(throws: SSHError.self) { _ = try await Fault.plan(try StepBuilder.ocn(), target) }
            #expect(error?.kind == .hostKeyChanged, "\(String(describing: error))")
            // Not one command ran, and we never even offered to log in.
            #expect(try router.commandLog().isEmpty)
            let logAfter = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            let newLog = String(logAfter.dropFirst(logBefore.count))
            #expect(newLog.contains("Child connection from"), "\(newLog)")
            #expect(newLog.contains("Exit before auth"), "\(newLog)")
            #expect(!newLog.contains("auth succeeded"), "\(newLog)")
            #expect(!newLog.contains("auth attempt"), "\(newLog)")
            #expect(router.etc().keys.allSatisfy { !$0.hasPrefix("/etc/wrtform") })
            await target.close()
        }
    }

    static let attacks = [
        "'; reboot; '", "$(reboot)", "`reboot`", "'; touch /tmp/pwned-quote; '", "$(touch /tmp/pwned-dollar)",
        "`touch /tmp/pwned-backquote`", "\"; touch /tmp/pwned-double; \"", "a\\'$(touch /tmp/pwned-backslash)",
        "x\nreboot", "x\ntouch /tmp/pwned-newline",
    ]

    @Test func playbookValuesLandVerbatimOrAreRefused() async throws {
        try await withVirtualRouter { router in
            let scripts = FaultScriptLog()
            let target = scripts.target(router)
            var nodes: [StepGraph.Node] = []
            var accepted: [(index: Int, value: String, field: String)] = []
            for (index, value) in Self.attacks.enumerated() {
                let candidates: [(String, () throws -> any Step)] = [
                    (
                        "username",
                        {
                            try StepBuilder.step(
                                "i\(index)", "interface",
                                ["name": "inj\(index)", "proto": "pppoe", "device": "wan", "username": value])
                        }
                    ),
                    (
                        "redirect name",
                        {
                            try StepBuilder.step(
                                "r\(index)", "redirect",
                                [
                                    "name": value, "src": "wan", "src_dport": String(20000 + index), "dest": "lan",
                                    "dest_ip": "192.168.1.20", "dest_port": "80",
                                ])
                        }
                    ),
                    (
                        "file content",
                        { try StepBuilder.step("f\(index)", "file", ["path": "/etc/inj/\(index)", "content": value]) }
                    ),
                ]
                for (field, make) in candidates {
                    do {
                        nodes.append(.init(step: try make()))
                        accepted.append((index, value, field))
                    } catch let error as EngineError {
                        // Refused, and said why, where.
                        #expect(value.contains("\n"), "\(field) refused \(value.debugDescription): \(error)")
                        #expect(error.kind == .invalidInput)
                        #expect(error.message.contains("control character"), "\(error.message)")
                        #expect(error.location?.file == "test.yml")
                    }
                }
            }
            // Every value goes somewhere: the file content takes even a newline.
            #expect(accepted.filter { $0.field == "file content" }.count == Self.attacks.count)
            let plan = try await Fault.plan(try StepGraph(nodes), target)
            let result = try await Applier(options: Fault.options).apply(plan, to: target)
            #expect(result.status == .done)

            let network = try UCIFile(parsing: router.read("/etc/config/network"))
            let firewall = try UCIFile(parsing: router.read("/etc/config/firewall"))
            for item in accepted {
                switch item.field {
                case "username":
                    #expect(network.section(named: "inj\(item.index)")?["username"]?.joined == item.value)
                case "redirect name":
                    let redirect = firewall.sections(ofType: "redirect").first {
                        $0["src_dport"]?.joined == String(20000 + item.index)
                    }
                    #expect(redirect?["name"]?.joined == item.value)
                default:
                    #expect(router.read("/etc/inj/\(item.index)") == item.value)
                }
            }
            // Nothing ran: no canary file, the router never rebooted, its SSH server is the same.
            #expect(try router.runInSandbox("ls /tmp/pwned-* 2>/dev/null; echo end").output == "end\n")
            #expect(router.isRunning && router.isSSHServerRunning)
            #expect(try router.logMessages().allSatisfy { !$0.contains("reboot") })
            // Every command that came over SSH is the fixed loader, and no script carries a value:
            // the new files travel as bytes on stdin.
            let commands = try router.commandLog()
            // plan, write and reload, verify and confirm
            #expect(commands.count == 3)
            #expect(
                commands.allSatisfy {
                    $0.wholeMatch(of: /exec \/bin\/sh -c "\$\(dd bs=1 count=\d+ 2>\/dev\/null\)"/) != nil
                }, "\(commands)")
            #expect(scripts.entries.count == 3)
            for value in Self.attacks {
                #expect(
                    scripts.entries.allSatisfy { !$0.script.contains(value) }, "\(value.debugDescription) in a script")
            }
            await target.close()
        }
    }

    @Test func secretsNeverReachACommandLine() async throws {
        try await withVirtualRouter { router in
            let secrets = [StepBuilder.pppoePassword, StepBuilder.ddnsPassword, "Pa55", "S3cr3t"]
            // Sample every process's command line on the router while we apply: what `ps` shows.
            let sampler = try router.runInSandbox(
                """
                start-stop-daemon -S -b -m -p /tmp/.sampler.pid -x /bin/sh -- -c \
                  'while :; do cat /proc/[0-9]*/cmdline >> \(router.recordMount)/ps.log 2>/dev/null; echo >> \(router.recordMount)/ps.log; sleep 0.01; done'
                echo started
                """)
            #expect(sampler.output == "started\n")
            let scripts = FaultScriptLog()
            let target = scripts.target(router)
            let plan = try await Fault.plan(try StepBuilder.ocn(), target)
            // A verify that fails too: the restore path is walked as well.
            var options = Fault.options
            options.probes = [PostCheck("fails", command: "false", needsNetifd: false)]
            await #expect(throws: EngineError.self) { _ = try await Applier(options: options).apply(plan, to: target) }
            let again = try await Fault.plan(try StepBuilder.ocn(), target)
            #expect(try await Applier(options: Fault.options).apply(again, to: target).status == .done)
            _ = try router.runInSandbox("kill $(cat /tmp/.sampler.pid)")

            let samples = try Data(contentsOf: router.recordDirectory.appendingPathComponent("ps.log"))
            let sampled = String(decoding: samples, as: UTF8.self)
            #expect(sampled.contains("/etc/wrtform/runs/"), "the sampler saw none of wrtform's scripts")
            #expect(scripts.entries.count >= 7)
            for secret in secrets {
                #expect(!sampled.contains(secret), "a command line on the router held a secret")
                #expect(try router.commandLog().allSatisfy { !$0.contains(secret) })
                #expect(scripts.entries.allSatisfy { !$0.command.contains(secret) && !$0.script.contains(secret) })
            }

            // The journal holds the old and new bytes (secrets among them): 0700 directories, 0600 files.
            let modes = router.journalModes()
            #expect(modes.count > 10)
            for entry in modes {
                #expect(
                    entry.mode == (entry.isDirectory ? 0o700 : 0o600),
                    "\(entry.path) is \(String(entry.mode, radix: 8))")
            }
            #expect(
                try FileManager.default.attributesOfItem(
                    atPath: router.root.appendingPathComponent("etc/wrtform").path)[.posixPermissions] as? NSNumber
                    == 0o700)
            await target.close()
        }
    }

    @Test func tempFilesArePrivateUntilTheyReplaceTheFile() async throws {
        try await withVirtualRouter { router in
            let target = router.sshTarget()
            let plan = try await Fault.plan(try StepBuilder.ocn(), target)
            // Held after every temp file is written, before any is renamed into place.
            let point = try FaultPoint(.applet("sync"), call: 2, on: router)
            let apply = Task { try await Applier(options: Fault.options).apply(plan, to: target) }
            try await point.waitUntilReached()
            let listing = try router.runInSandbox(
                "find /etc /tmp -name '.*wrtform-*' | sort | while read -r f; do ls -ld \"$f\"; done")
            let lines = listing.output.split(separator: "\n")
            #expect(lines.count == plan.files.filter { $0.new.content != nil }.count, "\(listing.output)")
            for line in lines {
                #expect(line.hasPrefix("-rw-------"), "\(line)")
            }
            try point.release()
            #expect(try await apply.value.status == .done)
            // The secret file keeps its own mode once in place.
            #expect(try router.runInSandbox("ls -l /etc/wrtform/ddns.secret").output.hasPrefix("-rw-------"))
            #expect(try router.runInSandbox("ls -l /etc/config/network").output.hasPrefix("-rw-r--r--"))
            try point.remove()
            await target.close()
        }
    }
}
