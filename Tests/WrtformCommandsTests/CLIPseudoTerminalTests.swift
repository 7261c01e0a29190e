import Foundation
import Testing
import VirtualRouter

#if canImport(Glibc)
    import Glibc
#endif

/// The `wrtform` executable with its stderr on a pseudo-terminal, as a person runs it: the process
/// itself decides that stderr is a terminal (isatty), so the "connecting to" line and the spinner
/// appear there — and not on stdout, which is a pipe.
@Suite struct CLIPseudoTerminalTests {
    struct Run {
        var code: Int32
        var stdout: String
        var terminal: String
    }

    /// The built executable, next to the test bundle.
    static func executable() throws -> URL {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [bundle, Bundle.main.bundleURL.deletingLastPathComponent(), Bundle.main.bundleURL]
            .map { $0.appendingPathComponent("wrtform") }
        return try #require(
            candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) },
            "the wrtform executable is built with the tests (swift build --build-tests)")
    }

    /// Runs wrtform with stderr on a new pseudo-terminal, stdout on a pipe; returns what each got.
    static func run(_ arguments: [String], environment: [String: String]) async throws -> Run {
        var master: Int32 = -1
        var slave: Int32 = -1
        var size = winsize(ws_row: 24, ws_col: 120, ws_xpixel: 0, ws_ypixel: 0)
        try #require(openpty(&master, &slave, nil, nil, &size) == 0, "openpty: errno \(errno)")
        let terminalSide = master
        let process = Process()
        process.executableURL = try executable()
        process.arguments = arguments
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = FileHandle.nullDevice
        process.standardError = FileHandle(fileDescriptor: slave, closeOnDealloc: false)
        // Both ends read to their end on threads of their own (not the cooperative pool's, which a
        // blocking read would starve): neither side may fill up and block the process.
        let terminalRead = Self.onThread { () -> Data in
            var data = Data()
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = read(terminalSide, &buffer, buffer.count)
                if count <= 0 { break } // EIO once the last holder of the slave side is gone
                data.append(contentsOf: buffer[0..<count])
            }
            return data
        }
        let outRead = Self.onThread { output.fileHandleForReading.readDataToEndOfFile() }
        try process.run()
        close(slave)
        let terminal = await terminalRead.value
        let stdout = await outRead.value
        process.waitUntilExit()
        close(master)
        return Run(
            code: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            terminal: String(decoding: terminal, as: UTF8.self))
    }

    /// `body` on a Dispatch thread, its result awaited.
    static func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) -> Task<T, Never> {
        Task {
            await withCheckedContinuation { done in
                DispatchQueue.global().async { done.resume(returning: body()) }
            }
        }
    }

    @Test func connectingLineAndSpinnerOnTheTerminalOnly() async throws {
        try await withVirtualRouter { router in
            var environment = CLI.environment()
            environment["TERM"] = "xterm"
            environment["LANG"] = "C.UTF-8"
            environment["PATH"] = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
            let address = "\(router.host):\(router.port)"
            let plan = try await Self.run(["plan", CLI.ocn] + CLI.target(router), environment: environment)
            #expect(plan.code == 2, "\(plan.stdout)\n\(plan.terminal)")
            // The terminal turns "\n" into "\r\n".
            #expect(
                plan.terminal.contains("connecting to \(address) (timeout 10 s)\r\n"),
                "\(plan.terminal.debugDescription)")
            #expect(CLIProgressTests.drawn("connecting to \(address)…", in: plan.terminal))
            #expect(CLIProgressTests.drawn("reading root@\(address)…", in: plan.terminal))
            #expect(CLIProgressTests.leavesNoProgressLine(plan.terminal), "\(plan.terminal.debugDescription)")
            // stdout is a pipe: the plan, and not a byte of the progress line.
            #expect(plan.stdout.contains("Plan: 12 to add, 0 to change, 0 to remove."))
            #expect(!CLIProgressTests.hasControlBytes(plan.stdout), "\(plan.stdout.debugDescription)")

            // TERM=dumb cannot erase a line: no progress at all. --json: its document alone.
            environment["TERM"] = "dumb"
            let dumb = try await Self.run(["plan", CLI.ocn] + CLI.target(router), environment: environment)
            #expect(dumb.code == 2)
            #expect(dumb.terminal.isEmpty, "\(dumb.terminal.debugDescription)")
            environment["TERM"] = "xterm"
            let json = try await Self.run(["plan", CLI.ocn, "--json"] + CLI.target(router), environment: environment)
            #expect(json.code == 2)
            #expect(json.terminal.isEmpty, "\(json.terminal.debugDescription)")
            #expect(json.stdout.hasPrefix("{"))
        }
    }
}
