import Foundation
import Testing
import VirtualRouter
import WrtformEngine

/// Files as routers really have them: symbolic links are written through (the link kept, the
/// target's mode and owner kept), or refused when they lead out of /etc — over SSH and on --root.
@Suite struct SymlinkTests {
    static let options = ApplyOptions(owner: "tester@ci", playbook: "links", confirmTimeout: 30, verifyTimeout: 2)

    /// The step set that touches the firewall, sysupgrade.conf and the hotplug directory.
    static func graph() throws -> StepGraph { try StepBuilder.ocn() }

    @Test func writesThroughALinkInsideEtcOverSSH() async throws {
        try await withVirtualRouter { router in
            _ = try router.runInSandbox(
                """
                mv /etc/config/firewall /etc/firewall.real && ln -s /etc/firewall.real /etc/config/firewall
                chmod 0640 /etc/firewall.real && chown 12:34 /etc/firewall.real
                """)
            let original = router.read("/etc/firewall.real")
            let target = router.sshTarget()
            let plan = try await Fault.plan(try Self.graph(), target)
            let firewall = try #require(plan.snapshot.files["/etc/config/firewall"])
            #expect(firewall.kind == .symlink)
            #expect(firewall.link == "/etc/firewall.real")
            #expect(firewall.realPath == "/etc/firewall.real")
            // The target's mode, not the link's own rwxrwxrwx.
            #expect(firewall.mode == "0640")
            #expect(firewall.owner == "12:34")
            let result = try await Applier(options: Self.options).apply(plan, to: target)
            #expect(result.status == .done)
            let check = try router.runInSandbox(
                "[ -L /etc/config/firewall ] && readlink /etc/config/firewall; ls -ln /etc/firewall.real | awk '{print $1, $3, $4}'"
            )
            #expect(check.output == "/etc/firewall.real\n-rw-r----- 12 34\n")
            #expect(router.read("/etc/firewall.real").contains("wan_pppoe"))
            // The journal holds the target's old bytes.
            let runID = try #require(result.runID)
            let copies = try router.runInSandbox("cat /etc/wrtform/runs/\(runID)/files/*[0-9] | grep -c 'config zone'")
                .output
            #expect(copies.trimmingCharacters(in: .whitespacesAndNewlines) != "0")

            // Rollback goes through the link too.
            let rollback = try await target.snapshot(paths: [], run: "last")
            _ = try await Rollback().apply(
                try Rollback().plan(rollback), with: Applier(options: Self.options), to: target)
            #expect(router.read("/etc/firewall.real") == original)
            let after = try router.runInSandbox(
                "[ -L /etc/config/firewall ] && ls -ln /etc/firewall.real | awk '{print $1, $3, $4}'")
            #expect(after.output == "-rw-r----- 12 34\n")
            await target.close()
        }
    }

    /// A failing reload restores through the link: the link stays, the target gets its bytes back.
    @Test func restoreGoesThroughTheLinkOverSSH() async throws {
        try await withVirtualRouter { router in
            _ = try router.runInSandbox(
                "mv /etc/config/firewall /etc/firewall.real && ln -s ../firewall.real /etc/config/firewall")
            try router.setServiceBehavior(.fail(4), for: "firewall")
            let original = router.read("/etc/firewall.real")
            let target = router.sshTarget()
            let plan = try await Fault.plan(try Self.graph(), target)
            await #expect(throws: EngineError.self) {
                _ = try await Applier(options: Self.options).apply(plan, to: target)
            }
            #expect(router.read("/etc/firewall.real") == original)
            #expect(
                try router.runInSandbox("readlink /etc/config/firewall; ls -ln /etc/firewall.real | cut -c1-10").output
                    == "../firewall.real\n-rw-r--r--\n")
            await target.close()
        }
    }

    /// How each refused case is set up in the router's filesystem, and what the error must name.
    static let refusals: [(setup: String, path: String, names: String)] = [
        (
            "mv /etc/config/firewall /tmp/fw.real && ln -s /tmp/fw.real /etc/config/firewall", "/etc/config/firewall",
            "/tmp/fw.real"
        ),
        (
            "rm -f /etc/sysupgrade.conf && ln -s /etc/nowhere.conf /etc/sysupgrade.conf", "/etc/sysupgrade.conf",
            "/etc/nowhere.conf"
        ),
        (
            "rm -rf /etc/hotplug.d/iface && mkdir -p /tmp/hooks && ln -s /tmp/hooks /etc/hotplug.d/iface",
            "/etc/hotplug.d/iface/40-pppoe", "/etc/hotplug.d/iface -> /tmp/hooks"
        ),
    ]

    @Test(arguments: 0..<3) func linksOutOfEtcAreRefusedOverSSH(_ index: Int) async throws {
        let refusal = Self.refusals[index]
        try await withVirtualRouter { router in
            _ = try router.runInSandbox(refusal.setup)
            let before = try router.runInSandbox("ls -lnR /etc | grep -v '^total'").output
            let target = router.sshTarget()
            let error = await #expect(throws: EngineError.self) { _ = try await Fault.plan(try Self.graph(), target) }
            let message = error?.message ?? ""
            #expect(message.contains(refusal.path) && message.contains(refusal.names), "\(message)")
            #expect(message.contains("nothing was written"), "\(message)")
            #expect(try router.runInSandbox("ls -lnR /etc | grep -v '^total'").output == before)
            await target.close()
        }
    }

    @Test func writesThroughALinkInsideTheRoot() async throws {
        let copy = try RouterCopy()
        defer { copy.remove() }
        let files = FileManager.default
        let link = copy.root.appendingPathComponent("etc/config/firewall").path
        let real = copy.root.appendingPathComponent("etc/firewall.real").path
        try files.moveItem(atPath: link, toPath: real)
        // An absolute target means the same inside the root as on the router.
        try files.createSymbolicLink(atPath: link, withDestinationPath: "/etc/firewall.real")
        try files.setAttributes([.posixPermissions: 0o640], ofItemAtPath: real)
        let original = try Data(contentsOf: URL(fileURLWithPath: real))
        let target = try LocalDirectoryTarget(root: copy.root)
        let plan = try await Fault.plan(try Self.graph(), target)
        #expect(plan.snapshot.files["/etc/config/firewall"]?.kind == .symlink)
        #expect(plan.snapshot.files["/etc/config/firewall"]?.mode == "0640")
        let result = try await Applier(options: ApplyOptions(owner: "t", playbook: "links", confirmTimeout: nil)).apply(
            plan, to: target)
        #expect(try files.destinationOfSymbolicLink(atPath: link) == "/etc/firewall.real")
        #expect(try String(contentsOfFile: real, encoding: .utf8).contains("wan_pppoe"))
        #expect((try files.attributesOfItem(atPath: real)[.posixPermissions] as? NSNumber)?.intValue == 0o640)
        try await target.restore(runID: try #require(result.runID), status: "restored")
        #expect(try Data(contentsOf: URL(fileURLWithPath: real)) == original)
        #expect(try files.destinationOfSymbolicLink(atPath: link) == "/etc/firewall.real")
    }

    /// A link (a file's or a directory's) to a place outside the root — an extracted backup from
    /// another machine — never leads a write there: it is resolved inside the root, and refused
    /// when that is outside /etc.
    @Test func linksNeverLeadOutOfTheRoot() async throws {
        let copy = try RouterCopy()
        defer { copy.remove() }
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent(
            "wrtform-outside-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: outside) }
        let hooks = copy.root.appendingPathComponent("etc/hotplug.d/iface")
        try FileManager.default.removeItem(at: hooks)
        try FileManager.default.createSymbolicLink(atPath: hooks.path, withDestinationPath: outside.path)
        let target = try LocalDirectoryTarget(root: copy.root)
        let error = await #expect(throws: EngineError.self) { _ = try await Fault.plan(try Self.graph(), target) }
        #expect(error?.message.contains("/etc/hotplug.d/iface/40-pppoe") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("/etc/hotplug.d/iface -> \(outside.path)") == true, "\(error?.message ?? "")")
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path).isEmpty)
    }

    @Test(arguments: 0..<2) func linksOutOfEtcAreRefusedOnTheRoot(_ index: Int) async throws {
        let copy = try RouterCopy()
        defer { copy.remove() }
        let files = FileManager.default
        let (path, destination) = [
            ("etc/config/firewall", "/tmp/fw.real"), ("etc/sysupgrade.conf", "/etc/nowhere.conf"),
        ][index]
        let link = copy.root.appendingPathComponent(path).path
        try files.createDirectory(at: copy.root.appendingPathComponent("tmp"), withIntermediateDirectories: true)
        if index == 0 {
            try files.moveItem(atPath: link, toPath: copy.root.appendingPathComponent("tmp/fw.real").path)
        } else {
            try? files.removeItem(atPath: link)
        }
        try files.createSymbolicLink(atPath: link, withDestinationPath: destination)
        let target = try LocalDirectoryTarget(root: copy.root)
        let error = await #expect(throws: EngineError.self) { _ = try await Fault.plan(try Self.graph(), target) }
        let message = error?.message ?? ""
        #expect(message.contains("/" + path) && message.contains(destination), "\(message)")
        #expect(try files.destinationOfSymbolicLink(atPath: link) == destination)
    }

    /// The journal and the lock follow links inside the root too: `/var` → `/tmp` (as on OpenWrt)
    /// means DIR/tmp, never the host's /tmp or wherever an absolute link points.
    @Test func journalAndLockStayInsideTheRoot() async throws {
        let copy = try RouterCopy()
        defer { copy.remove() }
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent(
            "wrtform-outside-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: outside) }
        try FileManager.default.createSymbolicLink(
            atPath: copy.root.appendingPathComponent("var").path, withDestinationPath: outside.path)
        let target = try LocalDirectoryTarget(root: copy.root)
        let graph = try StepGraph([
            .init(step: try StepBuilder.step("t", "routing-table", ["id": "300", "name": "pppoe"]))
        ])
        let plan = try await Fault.plan(graph, target)
        _ = try await Applier(options: ApplyOptions(owner: "t", playbook: "links", confirmTimeout: nil)).apply(
            plan, to: target)
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path).isEmpty)
        #expect(
            target.resolvedURL("/var/lock/wrtform")?.path == copy.root.standardizedFileURL.path + outside.path
                + "/lock/wrtform")
    }

    @Test func rootPathResolvesAsAChroot() throws {
        let copy = try RouterCopy()
        defer { copy.remove() }
        let files = FileManager.default
        let root = copy.root.standardizedFileURL.path
        try files.createSymbolicLink(atPath: root + "/var", withDestinationPath: "/tmp")
        try files.createSymbolicLink(atPath: root + "/etc/up", withDestinationPath: "../../../../..")
        try files.createSymbolicLink(atPath: root + "/etc/loop", withDestinationPath: "/etc/loop")
        #expect(RootPath.resolve("/var/lock/wrtform", in: root) == "/tmp/lock/wrtform")
        #expect(RootPath.resolve("/etc/up/etc/passwd", in: root) == "/etc/passwd")
        #expect(RootPath.resolve("/etc/loop/x", in: root) == nil)
        #expect(RootPath.resolve("/etc/config/network", in: root) == "/etc/config/network")
    }
}
