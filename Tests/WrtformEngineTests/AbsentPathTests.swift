import Foundation
import Testing
import WrtformEngine

/// `absent` on a file names it as a file step does: in normal form, so a doubled slash removes
/// the file it spells, not nothing.
@Suite struct AbsentPathTests {
    @Test func doubledSlashesNameTheSameFile() async throws {
        let copy = try RouterCopy()
        defer { copy.remove() }
        try copy.write("/etc/hotplug.d/iface/50-old", "echo old\n")
        let graph = try StepGraph([
            StepGraph.Node(
                step: try StepBuilder.step("old", "file", ["path": "//etc/hotplug.d//iface/50-old", "absent": "true"]))
        ])
        let target = try LocalDirectoryTarget(root: copy.root)
        let planner = Planner()
        let plan = try planner.plan(graph, on: try await planner.snapshot(of: graph, from: target))
        #expect(plan.files.map(\.path) == ["/etc/hotplug.d/iface/50-old"])
        _ = try await Applier(options: OwnershipTests.options).apply(plan, to: target)
        #expect(copy.read("/etc/hotplug.d/iface/50-old") == "<absent>")
    }
}
