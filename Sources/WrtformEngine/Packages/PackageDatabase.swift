/// What a router has installed, read in the plan's one snapshot round trip by a probe over the
/// package manager's own database: opkg's /usr/lib/opkg/status (OpenWrt 24.10) or apk's
/// /lib/apk/db/installed (25.12). Nothing is executed but awk over that file.
public struct PackageDatabase: Sendable, Equatable {
    /// "opkg", "apk" or "none".
    public var manager: String
    /// Installed package name → version.
    public var installed: [String: String]

    public init(manager: String, installed: [String: String] = [:]) {
        self.manager = manager
        self.installed = installed
    }

    /// The package manager's own version, as its package records it (opkg, apk-mbedtls, apk-openssl).
    public var managerVersion: String? {
        if manager == "opkg" { return installed["opkg"] }
        if manager == "apk" {
            return installed.keys.sorted().first { $0 == "apk" || $0.hasPrefix("apk-") }.flatMap { installed[$0] }
        }
        return nil
    }

    static let probeName = "wrtform.packages"

    /// Prints `M MANAGER` then `I NAME VERSION` per installed package. apk wins where both exist
    /// (a 25.12 image keeps no opkg); a package opkg lists as anything but installed is not.
    static let probe = RouterProbe(
        probeName,
        command: """
            if command -v apk >/dev/null 2>&1; then
                echo "M apk"; f=/lib/apk/db/installed
                [ -f "$f" ] && awk '/^P:/ { p = substr($0, 3) } /^V:/ { print "I " p " " substr($0, 3) }' "$f"
            elif command -v opkg >/dev/null 2>&1; then
                echo "M opkg"; f=/usr/lib/opkg/status
                [ -f "$f" ] && awk '
                    function out() { if (p != "" && s ~ / installed$/) print "I " p " " v; p = ""; v = ""; s = "" }
                    /^Package: / { p = $2 } /^Version: / { v = $2 } /^Status: / { s = $0 } /^$/ { out() } END { out() }' "$f"
            else
                echo "M none"
            fi
            """)

    /// nil when the probe did not run (a directory target) or its output is not the probe's.
    init?(probe result: ProbeResult?) {
        guard let result, result.status == 0 else { return nil }
        var manager: String?
        var installed: [String: String] = [:]
        for line in result.output.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            switch fields.first {
            case "M" where fields.count == 2 && ["opkg", "apk", "none"].contains(fields[1]): manager = fields[1]
            case "I" where fields.count >= 2 && PackageStep.isValidName(fields[1]):
                installed[fields[1]] = fields.count > 2 ? fields[2] : ""
            default: continue
            }
        }
        guard let manager else { return nil }
        self.init(manager: manager, installed: installed)
    }
}
