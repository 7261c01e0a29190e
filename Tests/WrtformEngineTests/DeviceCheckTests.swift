import Foundation
import Testing
import VirtualRouter
import WrtformEngine

/// A step naming a device the router neither has nor declares is warned about at plan time.
@Suite struct DeviceCheckTests {
    static func graph(device: String) throws -> StepGraph {
        try StepGraph([
            .init(step: try StepBuilder.step("wan2", "interface", ["name": "wan2", "proto": "dhcp", "device": device]))
        ])
    }

    @Test func unknownDeviceIsAWarningOverSSH() async throws {
        try await withVirtualRouter { router in
            let target = router.sshTarget()
            let snapshot = try await target.snapshot(
                paths: Planner.paths(for: try Self.graph(device: "eth9")), run: nil)
            #expect(await target.roundTrips() == 1)
            #expect(snapshot.facts.devices?.contains("wan") == true)
            #expect(snapshot.facts.declaredDevices == ["br-lan"])
            let warned = try Planner().plan(try Self.graph(device: "eth9"), on: snapshot)
            #expect(warned.warnings.contains { $0.contains("'wan2'") && $0.contains("'eth9'") }, "\(warned.warnings)")
            for known in ["wan", "br-lan", "lan1.100", "@lan"] {
                let plan = try Planner().plan(try Self.graph(device: known), on: snapshot)
                #expect(!plan.warnings.contains { $0.contains("device") }, "\(known): \(plan.warnings)")
            }
            await target.close()
        }
    }

    /// A directory has no devices to compare with: no warning there.
    @Test func noWarningOnTheRoot() async throws {
        let copy = try RouterCopy()
        defer { copy.remove() }
        let target = try LocalDirectoryTarget(root: copy.root)
        let plan = try await Fault.plan(try Self.graph(device: "eth9"), target)
        #expect(plan.snapshot.facts.devices == nil)
        #expect(plan.snapshot.facts.declaredDevices == ["br-lan"])
        #expect(!plan.warnings.contains { $0.contains("device") })
    }
}
