import Foundation
import Testing
import WrtformEngine
import WrtformPlaybook

/// The cron-job step kind: one line in root's crontab, found again by its text; cron is enabled
/// and (re)started, since busybox crond does not run while /etc/crontabs is empty.
@Suite struct CronJobTests {
    static let job =
        "steps:\n  - id: c\n    cron-job: { schedule: \"*/10  * * * *\", command: \"ACTION=check /bin/sh /x\" }\n"

    static func crontab(_ router: LoaderRouter) -> URL { router.root.appendingPathComponent("etc/crontabs/root") }

    @Test func createsRootsCrontabPrivateThenFindsTheLineAgain() async throws {
        let router = try LoaderRouter()
        defer { router.remove() }
        let graph = try Loader.graph(try Loader.load(Self.job))
        let plan = try await router.plan(graph)
        let file = try #require(plan.files.first { $0.path == "/etc/crontabs/root" })
        #expect(file.new.text == "*/10 * * * * ACTION=check /bin/sh /x\n")
        #expect(file.new.mode == "0600")
        #expect(plan.services == ["cron"])
        try LoaderPlaybookTests.write(plan, into: router)
        #expect(try await router.plan(graph).hasChanges == false)
    }

    @Test func appendsToTheUsersCrontabAndRollsBackOnlyItsLine() async throws {
        let router = try LoaderRouter()
        defer { router.remove() }
        try FileManager.default.createDirectory(
            at: Self.crontab(router).deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("0 4 * * * /sbin/reboot".utf8).write(to: Self.crontab(router))
        let graph = try Loader.graph(try Loader.load(Self.job))
        _ = try await OCNRecipeTests.apply(graph, to: router)
        #expect(
            try String(contentsOf: Self.crontab(router), encoding: .utf8)
                == "0 4 * * * /sbin/reboot\n*/10 * * * * ACTION=check /bin/sh /x\n")
        try await OCNRecipeTests.rollback(router)
        // (The newline the line needed after the user's last line stays.)
        #expect(try String(contentsOf: Self.crontab(router), encoding: .utf8) == "0 4 * * * /sbin/reboot\n")
    }

    @Test func badSchedulesAndCommandsAreErrors() throws {
        func error(_ fields: String) throws -> String {
            let d = try Loader.graphError(try Loader.load("steps:\n  - id: c\n    cron-job: { \(fields) }\n"))
                .description
            return d
        }
        #expect(
            try error("schedule: \"*/10 * * *\", command: x")
                == "ocn.yml:3:28: schedule '*/10 * * *' is not five cron fields of digits and * / , - (e.g. '*/10 * * * *')"
        )
        #expect(
            try error("schedule: \"@hourly\", command: x")
                == "ocn.yml:3:28: schedule '@hourly' is not five cron fields of digits and * / , - (e.g. '*/10 * * * *')"
        )
        #expect(
            try error("schedule: \"* * * * *\", command: \"date +%s\"")
                == "ocn.yml:3:50: cron reads % in a command as a newline (move the command into a script)")
    }
}
