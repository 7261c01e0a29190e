import Foundation
import Testing
import VirtualRouter
import WrtformEngine

/// The router's flash fills up in the middle of a write. Small RAM disks stand in for the flash:
/// the test leaves N pages free and applies, for every N from none until the apply fits — so the
/// write runs out of space at each of its steps in turn.
@Suite struct FaultDiskTests {
    static let disk = "/etc/wrtform"

    /// Free 4 KiB pages on the router's small disk: `pages`, by a filler file; aborted runs of
    /// earlier tries are cleared first, so each try starts alike.
    func leaveFree(_ pages: Int, on router: VirtualRouter) throws {
        let run = try router.runInSandbox(
            """
            cd \(Self.disk) || exit 1
            rm -f filler
            for d in runs/*; do [ "$(cat "$d/status" 2>/dev/null)" = aborted ] && rm -rf "$d"; done
            free=$(df -k . | awk 'NR == 2 { print $4 }')
            [ $(( free / 4 )) -gt \(pages) ] && dd if=/dev/zero of=filler bs=4096 count=$(( free / 4 - \(pages) )) 2>/dev/null
            df -k . | awk 'NR == 2 { print $4 }'
            """)
        #expect(run.exitCode == 0, "\(run.output)")
    }

    /// Files on the small disk besides the journal and the filler (visible only inside the router).
    func diskFiles(_ router: VirtualRouter) throws -> [String] {
        try router.runInSandbox(
            "cd \(Self.disk) && find . -path ./runs -prune -o -type f -print | grep -v '^./filler$' | sort"
        )
        .output.split(separator: "\n").map(String.init)
    }

    @Test func runningOutOfSpaceAtEveryStepChangesNothing() async throws {
        var options = VirtualRouter.Options()
        options.tmpfs = [Self.disk: 512 * 1024]
        try await withVirtualRouter(options) { router in
            let target = router.sshTarget()
            let graph = try StepBuilder.ocn()
            let before = router.etc()
            var failures: [Int: String] = [:]
            var fitted: Int?
            for pages in 0..<80 {
                try leaveFree(pages, on: router)
                let plan = try await Fault.plan(graph, target)
                do {
                    _ = try await Applier(options: Fault.options).apply(plan, to: target)
                    fitted = pages
                    // The write that fits leaves the plan's files, the secret among them.
                    #expect(router.etc() == Fault.after(before, plan).filter { !$0.key.hasPrefix(Self.disk + "/") })
                    #expect(
                        try router.runInSandbox("cat \(Self.disk)/ddns.secret").output == StepBuilder.ddnsPassword
                            + "\n")
                    break
                } catch let error as EngineError {
                    failures[pages] = error.message
                    #expect(
                        error.message.contains("no space left on the router"), "\(pages) pages free: \(error.message)")
                    #expect(error.message.hasSuffix("the router's files were left as they were"), "\(error.message)")
                    #expect(router.etc() == before, "\(pages) pages free: files changed")
                    let left = try diskFiles(router)
                    #expect(left.isEmpty, "\(pages) pages free: left \(left)")
                    #expect(!router.lockHeld, "\(pages) pages free: lock held")
                }
            }
            #expect(fitted != nil, "the apply never fitted")
            // It ran out of space at different steps: storing the payload, journaling, writing a file.
            let steps = Set(
                failures.values.map { message in
                    String(message.dropFirst("writing failed: ".count).prefix { $0 != ":" })
                        .replacingOccurrences(
                            of: #"runs/[0-9TZ]+-[0-9a-f]+"#, with: "runs/RUN", options: .regularExpression)
                })
            #expect(steps.count >= 4, "\(steps.sorted())")
            print(
                "ran out of space at: \(steps.sorted().joined(separator: " | ")); fitted with \(fitted ?? -1) pages free"
            )
            await target.close()
        }
    }

    @Test func renameFailingHalfwayPutsTheFirstFilesBack() async throws {
        try await withVirtualRouter { router in
            // The boot hook is the first mv, the first file's rename the second: the third fails.
            let count = "\(router.recordMount)/mv-fail.count"
            try router.setAppletBehavior(
                .run(
                    """
                    n=$(( $(/bin/busybox cat \(count) 2>/dev/null || echo 0) + 1 )); echo $n > \(count)
                    [ $n -eq 3 ] && exit 1
                    """), for: "mv")
            let target = router.sshTarget()
            let before = router.etc()
            let plan = try await Fault.plan(try StepBuilder.ocn(), target)
            let error = await #expect(throws: EngineError.self) {
                _ = try await Applier(options: Fault.options).apply(plan, to: target)
            }
            #expect(
                error?.message
                    == "writing failed: cannot rename into \(plan.files[1].path); the router's files were left as they were"
            )
            #expect(router.etc() == before)
            #expect(!router.lockHeld)
            #expect(router.runStatus(try router.onlyRun()) == "aborted")
            try router.setAppletBehavior(.succeed, for: "mv")
            await target.close()
        }
    }

    @Test func noRoomForOneNewFileRemovesTheOthersTempFiles() async throws {
        var options = VirtualRouter.Options()
        // A one-page disk where the hotplug script goes, already full: its temp file cannot be
        // written — after the firewall's and network's temp files were.
        options.tmpfs = ["/etc/hotplug.d/iface": 4096]
        try await withVirtualRouter(options) { router in
            #expect(
                try router.runInSandbox(
                    "dd if=/dev/zero of=/etc/hotplug.d/iface/.filler bs=4096 count=1 2>/dev/null; echo $?"
                ).output == "0\n")
            let target = router.sshTarget()
            let before = router.etc()
            let plan = try await Fault.plan(try StepBuilder.ocn(), target)
            let error = await #expect(throws: EngineError.self) {
                _ = try await Applier(options: Fault.options).apply(plan, to: target)
            }
            #expect(
                error?.message.hasPrefix(
                    "writing failed: cannot write /etc/hotplug.d/iface/40-pppoe: no space left on the router") == true,
                "\(error?.message ?? "")")
            #expect(router.etc() == before)
            #expect(!router.lockHeld)
            #expect(!router.bootHookInstalled)
            let runID = try router.onlyRun()
            #expect(router.runStatus(runID) == "aborted")
            // An aborted run keeps no copies of anything.
            #expect(!router.exists("/etc/wrtform/runs/\(runID)/files"))
            #expect(!router.exists("/etc/wrtform/runs/\(runID)/payload"))
            await target.close()
        }
    }
}
