import Foundation
import Testing
import VirtualRouter
import WrtformEngine

/// Paths are normalised once, when a step is built, and every check sees the normal form:
/// `//etc/config/firewall` is /etc/config/firewall, which no `file` step may replace.
@Suite struct PathNormalTests {
    @Test func configFilesCannotBeReachedBySpelling() throws {
        for path in ["//etc/config/firewall", "/etc//config/firewall", "/etc/config//x", "///etc/config/network"] {
            let error = #expect(throws: EngineError.self, "\(path)") {
                _ = try StepBuilder.step("f", "file", ["path": path, "content": "this is not a uci file\n"])
            }
            #expect(error?.message.contains("is a uci config") == true, "\(String(describing: error))")
        }
        for path in [
            "/etc/./config/firewall", "/etc/x/../config/firewall", "/etc/..",
            "/etc/wrtform/runs/20261126T221500Z-042c9/status",
            "/proc/sys/x", "/etc/x y", "/etc/\u{1B}x", "/etc/x\r\n",
        ] {
            #expect(throws: EngineError.self, "\(path.debugDescription)") {
                _ = try StepBuilder.step("f", "file", ["path": path, "content": "x\n"])
            }
        }
        let step = try #require(
            try StepBuilder.step("f", "file", ["path": "//etc/hotplug.d//iface/41-x", "content": "#!/bin/sh\n"])
                as? FileStep)
        #expect(step.path == "/etc/hotplug.d/iface/41-x")
        #expect(step.files == ["/etc/hotplug.d/iface/41-x"])
    }

    /// Over SSH: a file named with doubled slashes lands at its normal path, the plan and the
    /// journal name that path, and a secret file with no mode is written 0600.
    @Test func normalPathsAndPrivateSecretsOverSSH() async throws {
        try await withVirtualRouter { router in
            let target = router.sshTarget()
            let graph = try StepGraph([
                .init(
                    step: try StepBuilder.step(
                        "hook", "file", ["path": "//etc/hotplug.d//iface/41-x", "content": "#!/bin/sh\n"])),
                .init(
                    step: try StepBuilder.step(
                        "secret", "file", ["path": "/etc/wrtform/token", "content": "t0ken-S3cr3t\n"],
                        secret: ["content"])),
                .init(
                    step: try StepBuilder.step("plain", "file", ["path": "/etc/wrtform/plain", "content": "public\n"])),
            ])
            let plan = try await Fault.plan(graph, target)
            #expect(
                plan.files.map(\.path).sorted() == [
                    "/etc/hotplug.d/iface/41-x", "/etc/wrtform/plain", "/etc/wrtform/token",
                ])
            let result = try await Applier(options: Fault.options).apply(plan, to: target)
            #expect(result.status == .done)
            #expect(router.read("/etc/hotplug.d/iface/41-x") == "#!/bin/sh\n")
            let modes = try router.runInSandbox("ls -l /etc/wrtform/token /etc/wrtform/plain | cut -c1-10").output
            #expect(modes == "-rw-r--r--\n-rw-------\n", "\(modes)")
            let journal = try RunJournal.decode(
                Array(
                    try Data(
                        contentsOf: router.root.appendingPathComponent(
                            "etc/wrtform/runs/\(try #require(result.runID))/run.json"))))
            #expect(
                journal.files.map(\.path).sorted() == [
                    "/etc/hotplug.d/iface/41-x", "/etc/wrtform/plain", "/etc/wrtform/token",
                ])
            await target.close()
        }
    }

    /// The target itself refuses a path not in normal form, whoever built the transaction: over
    /// SSH, `//etc/config/firewall` with junk content would have skipped the uci check.
    @Test func targetsRefuseAbnormalPaths() async throws {
        try await withVirtualRouter { router in
            let before = router.etc()
            let target = router.sshTarget()
            for path in ["//etc/config/firewall", "/etc/config/../config/firewall", "/etc/wrtform/runs/x/status"] {
                let transaction = WriteTransaction(
                    runID: "20261126T221500Z-042c9", owner: "tester",
                    files: [
                        .init(
                            path: path, expectedHash: "absent",
                            new: FileState(content: Array("this is not a uci file\n".utf8)))
                    ],
                    journal: Array("{}".utf8), summary: "x", services: [])
                let outcome = try await target.write(transaction)
                #expect(outcome == .failed("'\(path)' is not a path wrtform writes (not in normal form)"), "\(outcome)")
            }
            #expect(router.etc() == before)
            #expect(!router.exists("/etc/wrtform/runs"))
            await target.close()
        }
    }
}
