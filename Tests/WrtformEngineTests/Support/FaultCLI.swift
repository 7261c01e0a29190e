import Foundation
import Testing
import VirtualRouter

#if canImport(Glibc)
    import Glibc
#endif

/// The real `wrtform` executable, run as a child process against the virtual router, so a test
/// can kill it outright (SIGKILL) — what the router sees when a laptop dies mid-apply: the TCP
/// connection closes and nothing more ever comes.
struct FaultCLI {
    static let pppoePassword = "Fault-Pp-S3cr3t-'$(reboot)"

    /// Built beside the test bundle (`swift build` / `swift test` build every product).
    static var executable: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("wrtform")
    }

    let directory: URL
    let playbook: URL

    /// A small playbook (routing table, PPPoE interface, zone, port forward, hotplug hook) with
    /// `probe` as its health probe.
    init(probe: String?) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.executable.path) else {
            throw FaultTestError.timedOut(
                "the wrtform executable at \(Self.executable.path): build it with `swift build`")
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("wrtform-fault-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        playbook = directory.appendingPathComponent("fault.yml")
        var text = """
            name: fault-kill
            secrets:
              pppoe_password: { env: WRTFORM_FAULT_PPPOE_PASSWORD }
            steps:
              - id: pppoe-table
                routing-table: { id: "300", name: pppoe }
              - id: wanppp
                interface:
                  name: wanppp
                  proto: pppoe
                  device: wan
                  username: user@ocn
                  password: "{{ pppoe_password }}"
                  ip4table: pppoe
                  ipv6: 0
                  pppd_options: mtu 1454 mru 1454
              - id: zone
                firewall-zone: { name: wan_pppoe, masq: true, mtu_fix: true, network: [wanppp] }
              - id: https
                redirect: { name: https-server, src: wan_pppoe, src_dport: 443, dest: lan, dest_ip: 192.168.1.5, proto: tcp }
              - id: hook
                file:
                  path: /etc/hotplug.d/iface/40-pppoe
                  content: "#!/bin/sh\\n[ \\"$INTERFACE\\" = wanppp ] || exit 0\\n"
                  mode: "0644"

            """
        if let probe {
            text += "probes:\n  - name: the router holds here\n    command: |\n"
            text +=
                probe.split(separator: "\n", omittingEmptySubsequences: false).map { "      " + $0 }.joined(
                    separator: "\n") + "\n"
        }
        try Data(text.utf8).write(to: playbook)
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }

    /// Starts `wrtform apply --yes` against `router`; its output goes to a file in `directory`.
    func startApply(_ router: VirtualRouter, confirmTimeout: Int) throws -> Process {
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = [
            "apply", playbook.path, "--yes", "--host", router.host, "--port", String(router.port),
            "--identity", router.clientKeyFile, "--known-hosts", router.knownHostsFile,
            "--confirm-timeout", String(confirmTimeout), "--verify-timeout", "2",
        ]
        process.environment = [
            "WRTFORM_FAULT_PPPOE_PASSWORD": Self.pppoePassword, "HOME": directory.path,
            "XDG_STATE_HOME": directory.appendingPathComponent("state").path, "USER": "fault", "PATH": "/usr/bin:/bin",
        ]
        let output = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        _ = output
        let handle = try FileHandle(forWritingTo: outputFile)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try handle.close()
        return process
    }

    var outputFile: URL { directory.appendingPathComponent("output.txt") }
    var output: String { (try? String(contentsOf: outputFile, encoding: .utf8)) ?? "" }

    /// SIGKILL, and waits (bounded) until it is gone.
    static func kill(_ process: Process) async throws {
        _ = Glibc.kill(process.processIdentifier, SIGKILL)
        let gone = await Fault.eventually(.seconds(10)) { !process.isRunning }
        if !gone { throw FaultTestError.timedOut("wrtform to die after SIGKILL") }
    }
}

extension VirtualRouter {
    /// SSH sessions the router still serves (dropbear processes besides the listening one).
    func sshSessions() throws -> Int {
        let pids = try runInSandbox("pidof dropbear").output.split(separator: " ").count
        return max(0, pids - 1)
    }
}
