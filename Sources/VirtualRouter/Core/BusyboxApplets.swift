/// The busybox applets a stock OpenWrt 24.10 image has (package/utils/busybox/Config-defaults.in,
/// `default y`), as far as Debian's busybox offers them (it lacks crond, crontab, passwd,
/// pgrep, nice, ntpd), plus `wget` standing in for
/// uclient-fetch. Applets OpenWrt leaves out (nohup, setsid, timeout, stat, realpath, base64,
/// sha1sum, hostname, diff, …) are deliberately absent, so a script that would fail on a real
/// router fails here too. `logger`, `lock` and `flock` are provided separately.
enum BusyboxApplets {
    static let openWrt: Set<String> = [
        "ash", "sh", "awk", "basename", "cat", "chgrp", "chmod", "chown", "chroot", "cmp",
        "cp", "cut", "date", "dd", "df", "dirname", "dmesg", "du", "echo", "egrep",
        "env", "expr", "false", "fgrep", "find", "free", "grep", "gunzip", "gzip", "head",
        "hexdump", "hwclock", "id", "ip", "kill", "killall", "less", "ln", "login", "ls",
        "md5sum", "mkdir", "mkfifo", "mknod", "mkswap", "mktemp", "mount", "mv", "nc", "netstat",
        "nslookup", "passwd", "pidof", "ping", "ping6", "pivot_root", "printf", "ps", "pwd", "readlink",
        "reboot", "halt", "poweroff", "rm", "rmdir", "route", "sed", "seq", "sha256sum", "sleep",
        "sort", "start-stop-daemon", "strings", "swapoff", "swapon", "switch_root", "sync", "sysctl", "tail", "tar",
        "taskset", "tee", "test", "[", "[[", "time", "top", "touch", "tr", "traceroute",
        "traceroute6", "true", "udhcpc", "umount", "uname", "uniq", "uptime", "vi", "wc", "which",
        "xargs", "yes", "zcat", "wget", "brctl", "ifconfig", "clear", "reset", "crond", "crontab",
    ]
}
