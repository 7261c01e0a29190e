import Foundation
import VirtualRouter
import WrtformEngine

/// Stand-ins for OpenWrt programs the virtual router lacks (uci, fw4), and a tracing /bin/sh, for the
/// trap tests. Each is an ash script installed where OpenWrt has the program; none exists there
/// otherwise, so nothing is shadowed except /bin/sh by `installTracingShell`.
enum TrapsRouter {
    /// A config file holding this makes the uci stub report a parse error.
    static let badMarker = "WRTFORM_BAD"
    static let uciLog = "/tmp/.traps-uci.log"
    static let fw4Log = "/tmp/.traps-fw4.log"
    static let traceFile = "/tmp/.traps-trace"
    static let scriptsFile = "/tmp/.traps-scripts"

    /// The files in /etc/config of a stock router (the fixture), dot files included.
    static let stockConfigs = ["dhcp", "dropbear", "firewall", "network", "system"]

    /// OpenWrt's uci: `uci [-c DIR] show NAME` prints a parse error on STDERR and exits 0 — as uci show
    /// does for a file it cannot load — when DIR/NAME holds the marker. Every call records its
    /// arguments and what /etc/config holds at that moment (wrtform's temp files are there then).
    static func installUCI(_ router: VirtualRouter) throws {
        try DoctorStubs.script(
            router, "/sbin/uci",
            """
            #!/bin/sh
            # traps test stub: OpenWrt's uci show.
            dir=/etc/config
            if [ "$1" = -c ]; then dir=$2; shift 2; fi
            { echo "CALL $*"; ls -a /etc/config; echo END; } >> \(uciLog)
            if [ "$1" = show ] && grep -q \(badMarker) "$dir/$2" 2>/dev/null; then
                echo "uci: Parse error (invalid command) at line 40, byte 0" >&2
            fi
            exit 0

            """)
    }

    /// `uci -c DIR show NAME` calls the stub saw, with /etc/config's listing at each.
    static func uciCalls(_ router: VirtualRouter) -> [(call: String, listing: [String])] {
        var calls: [(String, [String])] = []
        var current: (String, [String])?
        for line in router.read(uciLog).split(separator: "\n").map(String.init) {
            if line.hasPrefix("CALL ") {
                current = (String(line.dropFirst(5)), [])
            } else if line == "END", let done = current {
                calls.append(done)
                current = nil
            } else {
                current?.1.append(line)
            }
        }
        return calls
    }

    /// firewall4's fw4: `check` fails (exit 1 with an nft error), or — as fw4 does for a config it
    /// cannot parse — exits 0 after printing the parse error.
    static func installFW4(_ router: VirtualRouter, checkExit: Int, output: String) throws {
        try DoctorStubs.script(
            router, "/sbin/fw4",
            """
            #!/bin/sh
            # traps test stub: firewall4's fw4.
            echo "$*" >> \(fw4Log)
            if [ "$1" = check ]; then
                cat <<'WRTFORM_STUB'
            \(output)
            WRTFORM_STUB
                exit \(checkExit)
            fi
            exit 0

            """)
    }

    /// Replaces the router's /bin/sh (a busybox symlink) by a script that records every script it is
    /// given (`sh -c TEXT`, `sh FILE`) and runs it with xtrace into a trace file, so a test can list
    /// each command wrtform's scripts ran. Stderr of those scripts lands in the trace too.
    static func installTracingShell(_ router: VirtualRouter) throws {
        try DoctorStubs.script(
            router, "/bin/sh",
            """
            #!/bin/busybox ash
            # traps test: /bin/sh that records and traces every script.
            if [ "$1" = -c ]; then
                printf '%s\\n\\0' "$2" >> \(scriptsFile)
            elif [ -f "$1" ]; then
                { cat "$1"; printf '\\n\\0'; } >> \(scriptsFile)
            fi
            exec /bin/busybox ash -x "$@" 2>> \(traceFile)

            """)
    }

    /// Every name in /etc/config, dot files included.
    static func configListing(_ router: VirtualRouter) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: router.root.appendingPathComponent("etc/config").path)
            .sorted()
    }

    static func options(confirmTimeout: Int? = 60) -> ApplyOptions {
        ApplyOptions(owner: "tester@ci", playbook: "traps", confirmTimeout: confirmTimeout, verifyTimeout: 2)
    }

    static func plan(_ graph: StepGraph, _ target: any RouterTarget, force: Bool = false) async throws -> Plan {
        try Planner(force: force).plan(graph, on: try await target.snapshot(paths: Planner.paths(for: graph), run: nil))
    }
}
