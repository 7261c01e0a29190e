/// The small ash scripts the virtual router puts where OpenWrt has real programs.
///
/// They write what happened into the record directory, which the sandbox sees at
/// `RouterScripts.recordMount` and the host reads through `VirtualRouter`.
enum RouterScripts {
    /// Where the record directory is mounted inside the sandbox.
    static let recordMount = "/.record"

    /// Record files (names inside the record directory).
    static let commandLogName = "commands.log"
    static let serviceLogName = "services.log"
    static let syslogName = "syslog.log"
    static let behaviorDirectoryName = "behavior"

    /// Services that get a recording stub, and where each lives inside the sandbox.
    static let stubbedServices: [(service: String, path: String)] = [
        ("network", "etc/init.d/network"),
        ("firewall", "etc/init.d/firewall"),
        ("cron", "etc/init.d/cron"),
        ("reload_config", "sbin/reload_config"),
    ]

    /// root's login shell: records the `-c` command (NUL-terminated, one `printf` so concurrent
    /// sessions don't interleave), then becomes busybox ash (a login shell when given nothing).
    static let loginShell = """
        #!/bin/busybox ash
        # wrtform virtual router: root's shell. Records each command it is asked to run, then is ash.
        if [ "$1" = "-c" ]; then
        \tprintf '%s\\0' "$2" >> \(recordMount)/\(commandLogName)
        \texec /bin/busybox ash "$@"
        fi
        # An interactive login (dropbear runs the shell as "-ash"; a script cannot see that).
        [ $# -eq 0 ] && exec /bin/busybox ash -l
        exec /bin/busybox ash "$@"

        """

    /// A stand-in for an init script or `reload_config`: records the call as NUL-terminated
    /// fields (service, epoch seconds, argument count, arguments…), then behaves as the test
    /// asked through `behavior/SERVICE` (sourced, so it can `exit N`, hang, or run anything).
    static func serviceStub(_ service: String) -> String {
        """
        #!/bin/sh
        # wrtform virtual router: stand-in for OpenWrt's \(service). Records the call, then does
        # what the test asked in \(recordMount)/\(behaviorDirectoryName)/\(service) (nothing: exit 0).
        printf '%s\\0' '\(service)' "$(date +%s)" "$#" "$@" >> \(recordMount)/\(serviceLogName)
        if [ -f \(recordMount)/\(behaviorDirectoryName)/\(service) ]; then
        \t. \(recordMount)/\(behaviorDirectoryName)/\(service)
        fi
        exit 0

        """
    }

    /// OpenWrt's `logger` hands messages to logd; here they go to a file tests read, in the
    /// format `logread` prints (`DATE PRIORITY TAG: MESSAGE`).
    static let logger = """
        #!/bin/sh
        # wrtform virtual router: logger. Appends to \(recordMount)/\(syslogName) in logread's format.
        tag=root; prio=user.notice; to_stderr=
        while [ $# -gt 0 ]; do
        \tcase "$1" in
        \t-t) tag=$2; shift 2 ;;
        \t-t*) tag=${1#-t}; shift ;;
        \t-p) prio=$2; shift 2 ;;
        \t-p*) prio=${1#-p}; shift ;;
        \t-s) to_stderr=1; shift ;;
        \t--) shift; break ;;
        \t-*) shift ;;
        \t*) break ;;
        \tesac
        done
        case "$prio" in *.*) ;; *) prio="user.$prio" ;; esac
        log_line() {
        \tprintf '%s %s %s: %s\\n' "$(date '+%a %b %e %H:%M:%S %Y')" "$prio" "$tag" "$1" >> \(recordMount)/\(syslogName)
        \t[ -n "$to_stderr" ] && printf '%s: %s\\n' "$tag" "$1" >&2
        \treturn 0
        }
        if [ $# -gt 0 ]; then
        \tlog_line "$*"
        else
        \twhile IFS= read -r line; do log_line "$line"; done
        fi
        exit 0

        """

    /// OpenWrt's `logread` (from ubox) over the logger's file: `-e PATTERN`, `-l COUNT`.
    static let logread = """
        #!/bin/sh
        # wrtform virtual router: logread over \(recordMount)/\(syslogName).
        pattern=; lines=
        while getopts "e:l:fF:p:S:r:u:t0hz:" opt; do
        \tcase "$opt" in
        \te) pattern=$OPTARG ;;
        \tl) lines=$OPTARG ;;
        \tesac
        done
        log=\(recordMount)/\(syslogName)
        [ -f "$log" ] || exit 0
        if [ -n "$pattern" ]; then
        \tgrep -E -- "$pattern" "$log"
        else
        \tcat "$log"
        fi | if [ -n "$lines" ]; then tail -n "$lines"; else cat; fi
        exit 0

        """

    /// OpenWrt's busybox `lock` applet over util-linux flock: `lock FILE` takes the lock and keeps
    /// it (a holder process whose pid goes into FILE) until `lock -u FILE`; `-s` shared,
    /// `-n` fail instead of waiting, `-w` wait until free without taking it.
    static let lock = """
        #!/bin/sh
        # wrtform virtual router: OpenWrt's lock applet, over flock.
        mode=-x; action=lock; nowait=
        while [ $# -gt 1 ]; do
        \tcase "$1" in
        \t-s) mode=-s ;;
        \t-u) action=unlock ;;
        \t-w) action=wait ;;
        \t-n) nowait=-n ;;
        \t*) echo "Usage: lock [-suwn] <filename>" >&2; exit 1 ;;
        \tesac
        \tshift
        done
        file=$1
        [ -n "$file" ] || { echo "Usage: lock [-suwn] <filename>" >&2; exit 1; }
        case "$action" in
        unlock)
        \tpid=$(cat "$file" 2>/dev/null)
        \t[ -n "$pid" ] && kill "$pid" 2>/dev/null
        \texit 0 ;;
        wait)
        \texec flock $nowait -s "$file" true ;;
        esac
        marker=/tmp/.lock.$$
        rm -f "$marker"
        flock $nowait $mode "$file" /bin/sh -c 'echo $$ > "$1"; echo $$ > "$2"; exec sleep 2147483647' lock "$file" "$marker" </dev/null >/dev/null 2>&1 &
        holder=$!
        while [ ! -s "$marker" ]; do
        \tkill -0 "$holder" 2>/dev/null || { rm -f "$marker"; exit 1; }
        \tsleep 0.05
        done
        rm -f "$marker"
        exit 0

        """

    /// The behavior file of a wrapped applet (inside the behavior directory).
    static func appletBehaviorName(_ applet: String) -> String { "applet-" + applet }

    /// Stands in for a busybox applet while a test gives it a behavior (`setAppletBehavior`):
    /// sources the behavior (which may pause, fail or exit), then is the applet.
    static func appletWrapper(_ applet: String) -> String {
        """
        #!/bin/busybox ash
        # wrtform virtual router: \(applet), wrapped for a fault-injection test. Does what
        # \(recordMount)/\(behaviorDirectoryName)/\(appletBehaviorName(applet)) says, then is \(applet).
        b=\(recordMount)/\(behaviorDirectoryName)/\(appletBehaviorName(applet))
        [ -f "$b" ] && . "$b"
        exec /bin/busybox \(applet) "$@"

        """
    }

    /// What a stub does for each `ServiceBehavior` (sourced from the stub).
    static func behaviorScript(_ behavior: ServiceBehavior) -> String? {
        switch behavior {
        case .succeed: return nil
        case .fail(let code): return "exit \(code)\n"
        case .hang: return "while :; do sleep 60; done\n"
        case .run(let script): return script + "\n"
        }
    }
}
