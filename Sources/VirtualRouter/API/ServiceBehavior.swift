/// What a stubbed service (`/etc/init.d/network`, `/etc/init.d/firewall`, `/sbin/reload_config`)
/// does after recording its call — so tests can make a reload fail, hang, or cut the router off.
public enum ServiceBehavior: Sendable, Equatable {
    /// Exit 0 at once (what the real scripts do: netifd and fw4 reload asynchronously).
    case succeed
    /// Exit with this status.
    case fail(Int32)
    /// Never return (until the router stops or the caller gives up).
    case hang
    /// Run this ash script inside the router (sourced by the stub; it may `exit N`).
    /// For example `kill $(cat /var/run/dropbear.pid)` makes the router unreachable mid-apply:
    /// its SSH server stops while the router (and everything else running in it) carries on.
    case run(String)
}
