/// The package side of a virtual router: a feed of small test packages, the installed database a
/// stock image starts with, the opkg and apk stand-ins, and init scripts that behave as rc.common's.
enum RouterPackages {
    struct Package {
        var name: String
        var version: String
        var depends: [String] = []
        /// Files installed (path without the leading /, content, mode).
        var files: [(path: String, content: String, mode: Int)] = []
    }

    /// Inside the sandbox.
    static let feed = "/usr/share/vr-feed"
    static let offlineKnob = "pkg-offline"
    static let spaceKnob = "pkg-space"
    static let stallKnob = "pkg-stall"
    static let updateLogName = "pkg-updates.log"

    static let available: [Package] = [
        Package(
            name: "map", version: "8-r1", depends: ["kmod-ip6-tunnel"],
            files: [("lib/netifd/proto/map.sh", "#!/bin/sh\n# map stand-in\n", 0o755)]),
        Package(
            name: "kmod-ip6-tunnel", version: "6.6.73-r1",
            files: [("lib/modules/6.6.73/ip6_tunnel.ko", "stand-in\n", 0o644)]),
        Package(
            name: "wireguard-tools", version: "1.0.20210914-r4", depends: ["kmod-wireguard"],
            files: [
                ("usr/bin/wg", "#!/bin/sh\necho 'wg stand-in'\n", 0o755),
                ("lib/netifd/proto/wireguard.sh", "#!/bin/sh\n# wireguard proto stand-in\n", 0o755),
            ]),
        Package(
            name: "kmod-wireguard", version: "6.6.73-r1",
            files: [("lib/modules/6.6.73/wireguard.ko", "stand-in\n", 0o644)]),
        Package(
            name: "luci-proto-wireguard", version: "25.051.27003~c1a4b2e", depends: ["wireguard-tools"],
            files: [("www/luci-static/resources/protocol/wireguard.js", "'use strict';\n", 0o644)]),
        Package(
            name: "tcpdump", version: "4.99.5-r1", depends: ["libpcap"],
            files: [("usr/bin/tcpdump", "#!/bin/sh\necho 'tcpdump stand-in'\n", 0o755)]),
        Package(name: "libpcap", version: "1.10.5-r1", files: [("usr/lib/libpcap.so.1", "stand-in\n", 0o644)]),
        Package(
            name: "ddns-scripts", version: "2.8.2-r64",
            files: [
                ("etc/init.d/ddns", initScript("ddns", start: 95), 0o755),
                ("usr/lib/ddns/dynamic_dns_updater.sh", "#!/bin/sh\n# ddns stand-in\n", 0o755),
            ]),
    ]

    /// What a stock image has installed before any test installs anything.
    static func base(_ manager: PackageManagerKind) -> [Package] {
        var base = [
            Package(name: "base-files", version: "1624-r28427"), Package(name: "busybox", version: "1.36.1-r2"),
            Package(name: "dropbear", version: "2024.86-r1"), Package(name: "libc", version: "1.2.5-r4"),
        ]
        switch manager {
        case .opkg: base.append(Package(name: "opkg", version: "2024.10.16~38eccbb1-r1"))
        case .apk: base.append(Package(name: "apk-mbedtls", version: "3.0.0_pre20250120-r1"))
        }
        return base
    }

    /// /usr/lib/opkg/status as opkg writes it: a stanza per package, blank-line separated.
    static func opkgStatus(_ packages: [Package]) -> String {
        packages.map { package in
            "Package: \(package.name)\nVersion: \(package.version)\n"
                + (package.depends.isEmpty ? "" : "Depends: \(package.depends.joined(separator: ", "))\n")
                + "Status: install user installed\nArchitecture: x86_64\nInstalled-Time: 1738000000\n\n"
        }.joined()
    }

    /// /lib/apk/db/installed as apk writes it: `X:` lines per package, blank-line separated.
    static func apkInstalled(_ packages: [Package]) -> String {
        packages.map { package in
            "C:Q1vrfeedAAAAAAAAAAAAAAAAAAAAAAAAA=\nP:\(package.name)\nV:\(package.version)\nA:x86_64\nS:1024\nI:4096\n"
                + "T:\(package.name) (virtual router stand-in)\nt:1738000000\n"
                + (package.depends.isEmpty ? "" : "D:\(package.depends.joined(separator: " "))\n") + "\n"
        }.joined()
    }

    /// An init script as OpenWrt's rc.common runs it: `enable` links /etc/rc.d/S\(start)NAME,
    /// `disable` removes S??NAME and K??NAME, `start`/`stop` keep a state file that `running` reads.
    /// Each call is recorded like the stubbed services' (and obeys a behavior file).
    static func initScript(_ name: String, start: Int) -> String {
        """
        #!/bin/sh
        # wrtform virtual router: /etc/init.d/\(name), behaving as rc.common (START=\(start)).
        START=\(start)
        name=\(name)
        printf '%s\\0' "$name" "$(date +%s)" "$#" "$@" >> \(RouterScripts.recordMount)/\(RouterScripts.serviceLogName)
        b=\(RouterScripts.recordMount)/\(RouterScripts.behaviorDirectoryName)/$name
        [ -f "$b" ] && . "$b"
        case "$1" in
        enable) mkdir -p /etc/rc.d && ln -sf "../init.d/$name" "/etc/rc.d/S$START$name" ;;
        disable) rm -f /etc/rc.d/S??"$name" /etc/rc.d/K??"$name" ;;
        enabled) [ -x "/etc/rc.d/S$START$name" ] ;;
        start|restart|reload) mkdir -p /var/run && : > "/var/run/vr-service-$name" ;;
        stop) rm -f "/var/run/vr-service-$name" ;;
        running) [ -f "/var/run/vr-service-$name" ] ;;
        # (rc.common runs `help` for a command it does not know: the syntax on stdout, status 0.)
        *) echo "Syntax: /etc/init.d/$name [command]" ;;
        esac

        """
    }

    /// Lays the feed, the installed database, the manager and an enabled, running `sysntpd` into a tree.
    static func install(_ manager: PackageManagerKind, into tree: RouterTree) throws {
        for package in available {
            let directory = String(feed.dropFirst()) + "/" + package.name
            try tree.makeDirectory(directory + "/files")
            var control = "Package: \(package.name)\nVersion: \(package.version)\n"
            if !package.depends.isEmpty { control += "Depends: \(package.depends.joined(separator: ", "))\n" }
            try tree.write(directory + "/control", control)
            for file in package.files {
                let path = directory + "/files/" + file.path
                if let slash = path.lastIndex(of: "/") { try tree.makeDirectory(String(path[..<slash])) }
                try tree.write(path, file.content, mode: file.mode)
            }
        }
        switch manager {
        case .opkg:
            try tree.makeDirectory("usr/lib/opkg/info")
            try tree.write("usr/lib/opkg/status", opkgStatus(base(.opkg)))
            try tree.write("bin/opkg", opkg, mode: 0o755)
        case .apk:
            try tree.makeDirectory("lib/apk/db")
            try tree.write("lib/apk/db/installed", apkInstalled(base(.apk)))
            try tree.makeDirectory("etc/apk")
            try tree.write("etc/apk/world", base(.apk).map(\.name).joined(separator: "\n") + "\n")
            try tree.write("usr/bin/apk", apk, mode: 0o755)
        }
        try tree.write("etc/init.d/sysntpd", initScript("sysntpd", start: 98), mode: 0o755)
        try tree.makeDirectory("etc/rc.d")
        try tree.symlink("etc/rc.d/S98sysntpd", to: "../init.d/sysntpd")
        try tree.write("tmp/run/vr-service-sysntpd", "")
    }

    /// Shared by both stand-ins: the feed, the knobs, a package's control fields.
    static let common = """
        F=\(feed); B=\(RouterScripts.recordMount)/\(RouterScripts.behaviorDirectoryName)
        field() { sed -n "s/^$2: //p" "$F/$1/control" 2>/dev/null; }
        offline() { [ -f "$B/\(offlineKnob)" ]; }
        full() { cat "$B/\(spaceKnob)" 2>/dev/null; }
        stall() { [ -f "$B/\(stallKnob)" ] || return 0; : > "$B/\(stallKnob).reached"; while [ -f "$B/\(stallKnob)" ]; do sleep 0.2; done; }
        copyin() { [ -d "$F/$1/files" ] && cp -a "$F/$1/files/." /; return 0; }
        filesof() { [ -d "$F/$1/files" ] && (cd "$F/$1/files" && find . ! -type d | sed 's/^\\.//'); return 0; }
        # As base-files' default_postinst and default_prerm: a package's init scripts are enabled and
        # started when it is installed, stopped and disabled before it is removed.
        postinst() { for i in $(filesof "$1" | grep '^/etc/init.d/'); do "$i" enable; "$i" start; done >/dev/null 2>&1; }
        prerm() { for i in $(filesof "$1" | grep '^/etc/init.d/'); do [ -f "$i" ] && "$i" disable && "$i" stop; done >/dev/null 2>&1; }
        args=
        for a in "$@"; do case "$a" in -*) ;; *) args="$args $a" ;; esac; done
        set -- $args
        cmd=$1; [ $# -gt 0 ] && shift

        """

    static let opkg = """
        #!/bin/sh
        # wrtform virtual router: opkg as far as wrtform uses it (update, install, remove,
        # list-installed), over a real /usr/lib/opkg/status and a local feed.
        \(common)
        S=/usr/lib/opkg/status; I=/usr/lib/opkg/info; L=/var/opkg-lists
        mkdir -p "$I"; [ -f "$S" ] || : > "$S"
        installed() { awk -v p="$1" '/^Package: / { n = $2 } /^Status: / { if (n == p && $0 ~ / installed$/) f = 1 } END { exit !f }' "$S"; }
        known() { [ -f "$L/vr-feed" ] && grep -qx "Package: $1" "$L/vr-feed"; }
        url=https://downloads.openwrt.org/releases/24.10.0/packages/x86_64/base
        # One opkg at a time, as opkg's own lock (lockf, released when it dies): a second one fails.
        case "$cmd" in update|install|remove)
            mkdir -p /var/lock; exec 9> /var/lock/opkg.lock
            flock -n 9 || { echo "Collected errors:"; echo " * opkg_lock: Could not lock /var/lock/opkg.lock: Resource temporarily unavailable."; exit 255; } ;;
        esac
        one() {
            installed "$1" && return 0
            if ! known "$1"; then
                echo "Unknown package '$1'."
                echo "Collected errors:"; echo " * opkg_install_cmd: Cannot install package $1."
                return 1
            fi
            for d in $(field "$1" Depends | tr ',' ' '); do one "$d" 1 || return 1; done
            v=$(field "$1" Version)
            echo "Downloading $url/$1_$v.ipk"
            [ "$2" = 0 ] && stall
            if offline; then
                echo "Collected errors:"; echo " * opkg_download: Failed to download $url/$1_$v.ipk, wget returned 4."
                return 1
            fi
            a=$(full)
            if [ -n "$a" ]; then
                echo "Collected errors:"; echo " * verify_pkg_installable: Only have ${a}kb available on filesystem /overlay, pkg $1 needs 512"
                return 1
            fi
            echo "Installing $1 ($v) to root..."
            filesof "$1" > "$I/$1.list"; copyin "$1"
            {
                echo "Package: $1"; echo "Version: $v"
                d=$(field "$1" Depends); [ -n "$d" ] && echo "Depends: $d"
                if [ "$2" = 1 ]; then echo "Status: install ok installed"; else echo "Status: install user installed"; fi
                echo "Architecture: x86_64"; echo "Installed-Time: $(date +%s)"
                [ "$2" = 1 ] && echo "Auto-Installed: yes"
                echo
            } >> "$S"
            echo "Configuring $1."
            postinst "$1"
            return 0
        }
        case "$cmd" in
        update)
            echo "Downloading $url/Packages.gz"
            if offline; then
                echo "*** Failed to download the package list from $url/Packages.gz"
                echo "Collected errors:"; echo " * opkg_download: Failed to download $url/Packages.gz, wget returned 4."
                exit 1
            fi
            mkdir -p "$L"
            for d in "$F"/*/; do n=${d%/}; n=${n##*/}; printf 'Package: %s\\nVersion: %s\\n\\n' "$n" "$(field "$n" Version)"; done > "$L/vr-feed"
            echo "Updated list of available packages in $L/vr-feed"
            date +%s >> \(RouterScripts.recordMount)/\(updateLogName) ;;
        install)
            rc=0; for p in "$@"; do one "$p" 0 || rc=255; done; exit $rc ;;
        remove)
            for p in "$@"; do
                if ! installed "$p"; then echo "No packages removed."; continue; fi
                users=$(awk -v p="$p" '/^Package: / { n = $2 } /^Depends: / { sub(/^Depends: /, ""); gsub(/,/, " ")
                    for (i = 1; i <= NF; i++) if ($i == p) print n }' "$S")
                if [ -n "$users" ]; then
                    echo "Collected errors:"
                    echo " * print_dependents_warning: Package $p is depended upon by packages:"
                    for u in $users; do printf ' * print_dependents_warning: \t%s\n' "$u"; done
                    echo " * print_dependents_warning: These might cease to work if package $p is removed."
                    echo " * print_dependents_warning: Force removal of this package with --force-depends."
                    echo " * print_dependents_warning: Force removal of this package and its dependents"
                    echo " * print_dependents_warning: with --force-removal-of-dependent-packages."
                    echo "No packages removed."
                    exit 255
                fi
                echo "Removing package $p from root..."
                prerm "$p"
                [ -f "$I/$p.list" ] && while IFS= read -r f; do rm -f "$f"; done < "$I/$p.list"
                rm -f "$I/$p.list"
                awk -v p="$p" 'BEGIN { buf = "" } /^$/ { if (!skip && buf != "") printf "%s\\n", buf; buf = ""; skip = 0; next }
                    { buf = buf $0 "\\n"; if ($0 == "Package: " p) skip = 1 } END { if (!skip && buf != "") printf "%s\\n", buf }' "$S" > "$S.new" && mv "$S.new" "$S"
            done ;;
        list-installed)
            awk '/^Package: / { p = $2 } /^Version: / { v = $2 } /^Status: / { if ($0 ~ / installed$/) print p " - " v }' "$S" ;;
        *) echo "opkg: unknown sub-command $cmd" >&2; exit 1 ;;
        esac
        exit 0

        """

    static let apk = """
        #!/bin/sh
        # wrtform virtual router: apk as far as wrtform uses it (update, add, del, info, --version),
        # over a real /lib/apk/db/installed and /etc/apk/world, and a local feed.
        [ "$1" = --version ] && { echo "apk-tools 3.0.0_pre20250120, compiled for x86_64."; exit 0; }
        \(common)
        D=/lib/apk/db/installed; W=/etc/apk/world; C=/var/cache/apk
        mkdir -p /lib/apk/db /etc/apk; [ -f "$D" ] || : > "$D"; [ -f "$W" ] || : > "$W"
        installed() { grep -qx "P:$1" "$D"; }
        known() { [ -f "$C/vr-feed.adb" ] && grep -qx "P:$1" "$C/vr-feed.adb"; }
        url=https://downloads.openwrt.org/releases/25.12.0/packages/x86_64/base/packages.adb
        one() {
            installed "$1" && return 0
            for d in $(field "$1" Depends | tr ',' ' '); do one "$d" || return 1; done
            v=$(field "$1" Version)
            if offline; then echo "ERROR: $1-$v: temporary error (try again later)"; return 1; fi
            if [ -n "$(full)" ]; then echo "ERROR: $1-$v: failed to extract: No space left on device"; return 1; fi
            echo "(1/1) Installing $1 ($v)"
            copyin "$1"
            {
                echo "C:Q1vrfeedAAAAAAAAAAAAAAAAAAAAAAAAA="; echo "P:$1"; echo "V:$v"; echo "A:x86_64"
                d=$(field "$1" Depends); [ -n "$d" ] && echo "D:$(echo "$d" | tr -d ',')"
                last=
                for f in $(filesof "$1"); do
                    dir=${f%/*}; dir=${dir#/}
                    [ "$dir" != "$last" ] && echo "F:$dir" && last=$dir
                    echo "R:${f##*/}"
                done
                echo
            } >> "$D"
            postinst "$1"
            return 0
        }
        case "$cmd" in
        update)
            if offline; then echo "WARNING: fetching $url: temporary error (try again later)"; echo "ERROR: unable to update the package index"; exit 1; fi
            mkdir -p "$C"
            for d in "$F"/*/; do n=${d%/}; n=${n##*/}; printf 'P:%s\\nV:%s\\n\\n' "$n" "$(field "$n" Version)"; done > "$C/vr-feed.adb"
            echo "OK: $(ls -d "$F"/*/ | wc -l) distinct packages available"
            date +%s >> \(RouterScripts.recordMount)/\(updateLogName) ;;
        add)
            for p in "$@"; do
                if ! installed "$p" && ! known "$p"; then
                    echo "ERROR: unable to select packages:"; echo "  $p (no such package):"; echo "    required by: world[$p]"
                    exit 1
                fi
            done
            for p in "$@"; do one "$p" || exit 1; grep -qx "$p" "$W" || echo "$p" >> "$W"; done
            echo "OK: installed" ;;
        del)
            for p in "$@"; do
                grep -vx "$p" "$W" > "$W.new"; mv "$W.new" "$W"
                installed "$p" || continue
                users=$(awk -v p="$p" '/^P:/ { n = substr($0, 3) } /^D:/ { split(substr($0, 3), d, " ")
                    for (i in d) if (d[i] == p) print n }' "$D")
                if [ -n "$users" ]; then
                    echo "World updated, but the following packages are not removed due to:"
                    echo "  $p: $(echo $users)"
                    continue
                fi
                v=$(awk -v p="$p" '/^P:/ { n = substr($0, 3) } /^V:/ { if (n == p) print substr($0, 3) }' "$D")
                echo "(1/1) Purging $p ($v)"
                prerm "$p"
                awk -v p="$p" '/^P:/ { n = substr($0, 3) } /^F:/ { d = substr($0, 3) } /^R:/ { if (n == p) print "/" d "/" substr($0, 3) }' "$D" |
                    while IFS= read -r f; do rm -f "$f"; done
                awk -v p="$p" 'BEGIN { buf = "" } /^$/ { if (!skip && buf != "") printf "%s\\n", buf; buf = ""; skip = 0; next }
                    { buf = buf $0 "\\n"; if ($0 == "P:" p) skip = 1 } END { if (!skip && buf != "") printf "%s\\n", buf }' "$D" > "$D.new" && mv "$D.new" "$D"
            done
            echo "OK: removed" ;;
        info) sed -n 's/^P://p' "$D" ;;
        *) echo "apk: unknown command $cmd" >&2; exit 1 ;;
        esac
        exit 0

        """
}
