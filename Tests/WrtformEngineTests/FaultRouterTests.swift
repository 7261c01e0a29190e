import Foundation
import Testing
import VirtualRouter
import WrtformEngine

/// The virtual router's fault-injection machinery itself: the tests built on it are only as
/// good as these are.
@Suite struct FaultRouterTests {
    @Test func dropbearKilledLeavesTheRouterRunning() async throws {
        try await withVirtualRouter { router in
            // Something running on the router, detached as wrtform's watchdog is.
            let started = try router.runInSandbox(
                "start-stop-daemon -S -b -m -p /tmp/bg.pid -x /bin/sleep -- 300 && echo ok")
            #expect(started.output == "ok\n")
            try router.setServiceBehavior(.run("kill $(cat /var/run/dropbear.pid)"), for: "network")
            let run = try router.runInSandbox("/etc/init.d/network reload; echo survived")
            #expect(run.output == "survived\n")
            #expect(await Fault.eventually(.seconds(5)) { !router.isSSHServerRunning })
            #expect(router.isRunning)
            let target = router.sshTarget(commandTimeout: .seconds(5))
            await #expect(throws: (any Error).self) { _ = try await target.snapshot(paths: [], run: nil) }
            #expect(try router.runInSandbox("kill -0 $(cat /tmp/bg.pid) && echo alive").output == "alive\n")

            try await router.restartSSHServer()
            #expect(router.isSSHServerRunning)
            let snapshot = try await target.snapshot(paths: [], run: nil)
            #expect(snapshot.facts.hostname == "OpenWrt")
            // Only dropbear started again: the detached process lived through it.
            #expect(try router.runInSandbox("kill -0 $(cat /tmp/bg.pid) && echo alive").output == "alive\n")
            await target.close()

            // killSSHServer() still means the whole router went away.
            try router.killSSHServer()
            #expect(!router.isRunning)
            #expect(
                try router.runInSandbox("kill -0 $(cat /tmp/bg.pid) 2>/dev/null && echo alive || echo gone").output
                    == "gone\n")
        }
    }

    @Test func appletBehaviorPausesAtTheNthCallAndIsRemoved() async throws {
        try await withVirtualRouter { router in
            let pause = try FaultPoint(.applet("mv"), call: 2, on: router)
            let run = Fault.background {
                try router.runInSandbox("cd /tmp && echo x > a && mv a b && mv b c && echo moved")
            }
            try await pause.waitUntilReached()
            // Held before the second mv: the first happened, the second not yet.
            #expect(router.exists("/tmp/b"))
            #expect(!router.exists("/tmp/c"))
            try pause.release()
            #expect(try await run.value.output == "moved\n")
            #expect(router.exists("/tmp/c"))
            try pause.remove()
            let link = try FileManager.default.destinationOfSymbolicLink(
                atPath: router.root.appendingPathComponent("bin/mv").path)
            #expect(link == "busybox")
            try router.setAppletBehavior(.fail(7), for: "sync")
            #expect(try router.runInSandbox("sync; echo $?").output == "7\n")
            try router.setAppletBehavior(.succeed, for: "sync")
            #expect(try router.runInSandbox("sync; echo $?").output == "0\n")
            #expect(throws: VirtualRouterError.self) { try router.setAppletBehavior(.fail(1), for: "nohup") }
        }
    }

    @Test func smallTmpfsFillsUp() async throws {
        var options = VirtualRouter.Options()
        options.tmpfs = ["/etc/wrtform": 16 * 1024]
        try await withVirtualRouter(options) { router in
            let run = try router.runInSandbox(
                "dd if=/dev/zero of=/etc/wrtform/fill bs=1024 count=64 2>&1; ls /etc/wrtform")
            #expect(run.output.contains("No space left on device"))
            #expect(run.output.hasSuffix("fill\n"))
            // A RAM disk inside the sandbox: the host's copy of the tree does not see it.
            #expect(!router.exists("/etc/wrtform/fill"))
        }
    }
}
