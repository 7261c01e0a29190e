import Foundation
import Testing
import WrtformEngine
import WrtformPlaybook

/// The package and service step kinds as the playbook loader reads them: fields, values and
/// their errors, located in the file.
@Suite struct PackageServiceStepTests {
    static func error(_ step: String) throws -> String {
        try Loader.graphError(try Loader.load("steps:\n  - id: s\n    \(step)\n")).description
    }

    @Test func packageNamesOneOrAList() throws {
        let graph = try Loader.graph(
            try Loader.load(
                "steps:\n  - id: a\n    package: { name: map }\n  - id: b\n    package: { name: [wireguard-tools, kmod-wireguard, map], absent: true }\n"
            ))
        let steps = graph.ordered.compactMap { $0 as? PackageStep }
        #expect(steps.map(\.names) == [["map"], ["wireguard-tools", "kmod-wireguard", "map"]])
        #expect(steps.map(\.absent) == [false, true])
    }

    @Test func badPackageFieldsAreLocatedErrors() throws {
        #expect(
            try Self.error("package: { nme: map }")
                == "ocn.yml:3:21: package step 's': unknown field 'nme' (did you mean 'name'?)")
        #expect(
            try Self.error("package: { absent: true }")
                == "ocn.yml:2:9: package step 's' needs a 'name' (one or a list)")
        #expect(
            try Self.error("package: { name: \"map; reboot\" }")
                == "ocn.yml:3:23: 'map; reboot' is not a package name (letters, digits and + . _ -, starting with a letter or digit)"
        )
        #expect(
            try Self.error("package: { name: map, absent: maybe }")
                == "ocn.yml:3:35: absent of step 's' must be true or false, not 'maybe'")
    }

    @Test func badServiceFieldsAreLocatedErrors() throws {
        #expect(
            try Self.error("service: { name: sysntpd }")
                == "ocn.yml:2:9: service step 's' needs 'enabled' or 'running' (true or false)")
        #expect(
            try Self.error("service: { name: sysntpd, enable: true }")
                == "ocn.yml:3:39: service step 's': unknown field 'enable' (did you mean 'enabled'?)")
        #expect(
            try Self.error("service: { name: ../network, enabled: true }")
                == "ocn.yml:3:22: '../network' is not an init script name (letters, digits and _ . -, not starting with - or .)"
        )
        #expect(
            try Self.error("service: { name: ddns, running: sometimes }")
                == "ocn.yml:3:37: running of step 's' must be true or false, not 'sometimes'")
    }

    /// On a directory (--root) a plan of either kind stops with one line: it needs a running router.
    @Test func aDirectoryPlanStops() async throws {
        let router = try LoaderRouter()
        defer { router.remove() }
        let graph = try Loader.graph(
            try Loader.load("steps:\n  - id: ntp\n    service: { name: sysntpd, enabled: true }\n"))
        await #expect(throws: EngineError.self) { _ = try await router.plan(graph) }
    }
}
