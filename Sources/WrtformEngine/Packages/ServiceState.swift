/// An init script's state as the plan's snapshot read it: whether /etc/init.d/NAME exists, is
/// enabled (an /etc/rc.d/S??NAME link, as rc.common's `enable` makes) and is running
/// (`/etc/init.d/NAME running`, procd's answer; a script without that command reads as stopped).
public struct ServiceState: Sendable, Equatable {
    public var exists: Bool
    public var enabled: Bool
    public var running: Bool

    public init(exists: Bool, enabled: Bool, running: Bool) {
        self.exists = exists
        self.enabled = enabled
        self.running = running
    }

    static func probeName(_ service: String) -> String { "wrtform.service.\(service)" }

    /// Prints `missing`, or `E R` (each 0 or 1). The name was checked as bytes ([A-Za-z0-9_.-]).
    static func probe(_ service: String) -> RouterProbe {
        let name = Shell.quote(service)
        return RouterProbe(
            probeName(service),
            command: """
                [ -f /etc/init.d/\(name) ] || { echo missing; exit 0; }
                e=0; for l in /etc/rc.d/S??\(name); do [ -e "$l" ] && e=1; done
                r=0; /etc/init.d/\(name) running >/dev/null 2>&1 </dev/null && r=1
                echo "$e $r"
                """)
    }

    init?(probe result: ProbeResult?) {
        guard let result, result.status == 0 else { return nil }
        let text = result.output.split(separator: "\n").last.map(String.init) ?? ""
        if text == "missing" {
            self.init(exists: false, enabled: false, running: false)
            return
        }
        let fields = text.split(separator: " ")
        guard fields.count == 2, fields.allSatisfy({ $0 == "0" || $0 == "1" }) else { return nil }
        self.init(exists: true, enabled: fields[0] == "1", running: fields[1] == "1")
    }
}
