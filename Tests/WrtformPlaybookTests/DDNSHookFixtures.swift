import Foundation

/// The shell pieces around the DDNS hook under test: a stand-in for netifd's hotplug-call, the
/// router's `wget` in two flavours, and the fake Value Domain endpoint. They are test tools, not
/// router code, so they may use Debian's programs (the endpoint uses util-linux flock).
enum DDNSHookFixtures {
    /// Commands the hook may run: the brief's subset of OpenWrt 24.10's busybox applets, plus
    /// flock (util-linux stands in for OpenWrt's applet). Anything else is a test failure.
    static let allowedCommands: Set<String> = [
        "ash", "sh", "awk", "sed", "grep", "ip", "logger", "cat", "echo", "printf", "sleep", "date",
        "mkdir", "rm", "mv", "cut", "tr", "wc", "head", "tail", "sort", "test", "[", "true", "false",
        "kill", "mktemp", "sha256sum", "start-stop-daemon", "wget", "flock",
    ]

    /// What /sbin/hotplug-call does with each script: source it in a subshell. Debian's static
    /// busybox runs its own applets before anything on PATH, so the two commands the test must
    /// observe (wget, logger) and every applet OpenWrt lacks are shadowed by shell functions,
    /// which the hook's background job inherits.
    static func hotplugCall(directory: String, forbidden: [String]) -> String {
        var lines = [
            "ddns_forbidden() { printf '%s\\n' \"$1\" >> '\(directory)/forbidden.log'; return 127; }",
            "wget() { '\(directory)/bin/wget' \"$@\"; }",
            "logger() { '\(directory)/bin/logger' \"$@\"; }",
        ]
        lines += forbidden.map { "\($0)() { ddns_forbidden \($0); }" }
        lines.append("for script in \"$@\"; do ( [ -f \"$script\" ] && . \"$script\" ); done")
        return lines.joined(separator: "\n") + "\n"
    }

    /// `logger -t TAG MESSAGE` appends "-t TAG MESSAGE" to the log file the test reads.
    static func logger(logFile: String) -> String {
        """
        #!/bin/busybox sh
        printf '%s\\n' "$*" >> '\(logFile)'

        """
    }

    /// busybox wget as it is, minus `-T N`: Debian's build lacks FEATURE_WGET_TIMEOUT and
    /// crashes on the option, which OpenWrt's wget (uclient-fetch) takes.
    static let busyboxWget = """
        #!/bin/busybox sh
        skip=0
        for a in "$@"; do
        	shift
        	if [ "$skip" = 1 ]; then skip=0; continue; fi
        	if [ "$a" = -T ]; then skip=1; continue; fi
        	set -- "$@" "$a"
        done
        exec /bin/busybox wget "$@"

        """

    /// OpenWrt's `wget` is uclient-fetch. This stand-in keeps its contract as uclient-fetch.c
    /// writes it: "Downloading 'URL'" on stderr unless -q (so the URL, password and all, is in
    /// the hook's hands), on a non-2xx answer "HTTP error N" unless -q and exit 8, exit 4 when
    /// it cannot connect, the body on stdout with -O -. Options it does not know are errors.
    /// Two test switches in `directory`: `fetch.fail` holds how many calls fail to connect
    /// (exit 4) before it reaches the endpoint; with `fetch.slow`, it prints its progress line
    /// (no newline, as uclient-fetch's progress bar does) on stderr and delays the body a second.
    static func uclientFetch(directory: String) -> String {
        """
        #!/bin/busybox sh
        D='\(directory)'
        quiet=0; out=''; url=''
        while [ $# -gt 0 ]; do
        	case "$1" in
        	-q) quiet=1 ;;
        	-O) out="$2"; shift ;;
        	-T) shift ;;
        	-*) echo "uclient-fetch stand-in: unknown option $1" >&2; exit 1 ;;
        	*) url="$1" ;;
        	esac
        	shift
        done
        [ "$quiet" = 1 ] || echo "Downloading '$url'" >&2
        fail=$(/bin/busybox cat "$D/fetch.fail" 2> /dev/null)
        if [ "${fail:-0}" -gt 0 ]; then
        	echo $((fail - 1)) > "$D/fetch.fail"
        	echo "$(/bin/busybox cat /proc/uptime)" >> "$D/fetch.failures"
        	[ "$quiet" = 1 ] || echo "Connection error: Connection failed" >&2
        	exit 4
        fi
        body=$(/bin/busybox mktemp) && head=$(/bin/busybox mktemp) || exit 1
        /bin/busybox wget -S -O "$body" "$url" 2> "$head"
        code=$(/bin/busybox sed -n 's/^  HTTP\\/[0-9.]* \\([0-9][0-9]*\\).*/\\1/p' "$head" | /bin/busybox tail -n 1)
        case "$code" in
        2??)
        	if [ -e "$D/fetch.slow" ]; then
        		[ "$quiet" = 1 ] || printf '\\r-   0%% |                               |     0   0:00:00 ETA' >&2
        		/bin/busybox sleep 1
        	fi
        	[ "$out" = - ] && /bin/busybox cat "$body"; rc=0 ;;
        '') [ "$quiet" = 1 ] || echo "Connection error: Connection failed" >&2; rc=4 ;;
        *) [ "$quiet" = 1 ] || echo "HTTP error $code" >&2; rc=8 ;;
        esac
        /bin/busybox rm -f "$body" "$head"
        exit "$rc"

        """
    }

    /// The fake endpoint, a CGI for busybox httpd. Logs "START pid centiseconds URI" and
    /// "END pid centiseconds code" (uptime clock); answers 503 to a call less than the interval
    /// after the previous one (as Value Domain does), or while `server.busy` counts down; holds
    /// every answer while `server.gate` exists (at most 60 s).
    static func endpoint(directory: String, intervalSeconds: Int) -> String {
        """
        #!/bin/busybox sh
        D='\(directory)'
        now() { /bin/busybox awk '{ printf "%d\\n", $1 * 100 }' /proc/uptime; }
        exec 9>> "$D/server.lock"
        /usr/bin/flock 9
        t=$(now)
        printf 'START %s %s %s\\n' "$$" "$t" "$REQUEST_URI" >> "$D/requests.log"
        last=$(/bin/busybox cat "$D/server.last" 2> /dev/null)
        busy=$(/bin/busybox cat "$D/server.busy" 2> /dev/null)
        echo "$t" > "$D/server.last"
        code=200
        if [ -n "$last" ] && [ $((t - last)) -lt \(intervalSeconds * 100) ]; then
        	code=503
        elif [ "${busy:-0}" -gt 0 ]; then
        	code=503
        	echo $((busy - 1)) > "$D/server.busy"
        fi
        /usr/bin/flock -u 9
        n=0
        while [ -e "$D/server.gate" ] && [ "$n" -lt 600 ]; do /bin/busybox sleep 0.1; n=$((n + 1)); done
        printf 'END %s %s %s\\n' "$$" "$(now)" "$code" >> "$D/requests.log"
        if [ "$code" = 503 ]; then
        	printf 'Status: 503 Service Unavailable\\r\\nContent-Type: text/plain\\r\\n\\r\\nstatus=503\\n'
        else
        	printf 'Content-Type: text/plain\\r\\n\\r\\nstatus=0\\nOK\\n'
        fi

        """
    }

    /// Stands in for OpenWrt's /lib/functions/network.sh: records how it is called and reports
    /// `address` for any interface.
    static func networkSh(callsFile: String, address: String) -> String {
        """
        network_flush_cache() { echo flush >> '\(callsFile)'; }
        network_get_ipaddr() { echo "get $2" >> '\(callsFile)'; eval "$1='\(address)'"; }

        """
    }
}
