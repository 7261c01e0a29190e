/// An init script's state as the plan's snapshot read it: whether /etc/init.d/NAME exists, is
/// enabled (an /etc/rc.d/S??NAME link, as rc.common's `enable` makes) and is running
/// (`/etc/init.d/NAME running`, procd's answer). A script that is not procd's has no `running`:
/// rc.common prints its help for it and exits 0, which says nothing — `runningKnown` is false then.
public struct ServiceState: Sendable, Equatable {
    public var exists: Bool
    public var enabled: Bool
    public var running: Bool
    /// Whether `running` was answered (a procd script), rather than rc.common's help for an unknown command.
    public var runningKnown: Bool

    public init(exists: Bool, enabled: Bool, running: Bool, runningKnown: Bool = true) {
        self.exists = exists
        self.enabled = enabled
        self.running = running
        self.runningKnown = runningKnown
    }

    static func probeName(_ service: String) -> String { "wrtform.service.\(service)" }

    /// Prints `missing`, or `E R` (each 0 or 1; R is `-` when the script has no `running`: rc.common
    /// then runs `help`, which prints "Syntax: ..." and exits 0). The name was checked as bytes ([A-Za-z0-9_.-]).
    static func probe(_ service: String) -> RouterProbe {
        let name = Shell.quote(service)
        return RouterProbe(
            probeName(service),
            command: """
                [ -f /etc/init.d/\(name) ] || { echo missing; exit 0; }
                e=0; for l in /etc/rc.d/S??\(name); do [ -e "$l" ] && e=1; done
                r=0; o=$(/etc/init.d/\(name) running 2>&1 </dev/null) && r=1
                case "$o" in *Syntax:*) r=- ;; esac
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
        guard fields.count == 2, fields[0] == "0" || fields[0] == "1", ["0", "1", "-"].contains(fields[1]) else {
            return nil
        }
        self.init(exists: true, enabled: fields[0] == "1", running: fields[1] == "1", runningKnown: fields[1] != "-")
    }
}
