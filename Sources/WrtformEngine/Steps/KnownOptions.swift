/// The options OpenWrt reads for each section the built-in step kinds write, so a typo (`mut:` for
/// `mtu:`) is an error with "did you mean" instead of a dead `option mut '1454'` on the router.
/// Options not listed here go under a step's `extra_options:` mapping, written as given.
/// Sources: netifd interface.c (iface_attrs), device.c (dev_attrs, which an interface section may
/// carry for its device), proto-static.c, iprule.c; the proto handlers' proto_config_add_* lists
/// (ppp.sh, dhcp.sh, dhcpv6.sh, map.sh, wireguard.sh, 6in4.sh, dslite.sh); firewall4's fw4.uc
/// parse_options for zones and redirects; and what LuCI writes into those sections.
enum KnownOptions {
    /// netifd's interface attributes, plus the device attributes an interface section may carry.
    static let interface: Set<String> = [
        "device", "proto", "ifname", "auto", "zone", "jail", "jail_device", "jail_ifname", "host_device",
        "defaultroute", "peerdns", "metric", "dns", "renew", "dns_search", "dns_metric", "interface",
        "ip6assign", "ip6hint", "ip4table", "ip6table", "ip6class", "delegate", "ip6ifaceid", "force_link",
        "ip6weight", "tags", "carrier_loss_delay", "disabled", "type", "ports",
        // device.c: an interface without its own `config device` passes these to its device.
        "mtu", "mtu6", "macaddr", "txqueuelen", "enabled", "ipv6", "ip6segmentrouting", "promisc", "rpfilter",
        "acceptlocal", "igmpversion", "mldversion", "neighreachabletime", "neighgcstaletime", "dadtransmits",
        "multicast_to_unicast", "multicast_router", "multicast_fast_leave", "sendredirects", "neighlocktime",
        "isolate", "drop_v4_unicast_in_l2_multicast", "drop_v6_unicast_in_l2_multicast", "drop_gratuitous_arp",
        "drop_unsolicited_na", "arp_accept", "auth", "auth_vlan", "speed", "duplex", "pause", "asym_pause",
        "rxpause", "txpause", "autoneg", "gro", "eee",
    ]

    static let ppp: Set<String> = [
        "username", "password", "keepalive", "keepalive_adaptive", "demand", "persist", "maxfail", "holdoff",
        "pppd_options", "connect", "disconnect", "authfail", "unnumbered", "sourcefilter", "ppp_ipv6",
    ]

    /// Options of each proto netifd or its proto handlers read, besides the interface's own.
    static let proto: [String: Set<String>] = [
        "none": [],
        "static": [
            "ipaddr", "ip6addr", "netmask", "broadcast", "ptpaddr", "gateway", "ip6gw", "ip6prefix", "ip6deprecated",
        ],
        "dhcp": [
            "ipaddr", "hostname", "clientid", "vendorid", "broadcast", "reqopts", "defaultreqopts", "iface6rd",
            "sendopts", "zone6rd", "zone", "mtu6rd", "customroutes", "classlessroute", "norelease",
        ],
        "dhcpv6": [
            "reqaddress", "reqprefix", "clientid", "reqopts", "defaultreqopts", "noslaaconly", "forceprefix",
            "extendprefix", "norelease", "noserverunicast", "noclientfqdn", "noacceptreconfig", "ip6prefix",
            "iface_dslite", "zone_dslite", "iface_map", "zone_map", "iface_464xlat", "zone_464xlat", "zone",
            "encaplimit_dslite", "encaplimit_map", "ifaceid", "sourcerouting", "userclass", "vendorclass",
            "sendopts", "keep_ra_dnslifetime", "ra_holdoff", "skpriority", "verbose", "fakeroutes",
            "sourcefilter",
        ],
        "pppoe": ppp.union(["ac", "service", "host_uniq", "padi_attempts", "padi_timeout"]),
        "pppoa": ppp.union(["atmdev", "vci", "vpi", "encaps"]),
        "pptp": ppp.union(["server", "interface"]),
        "l2tp": ppp.union(["server", "checkup_interval"]),
        "ppp": ppp.union(["device"]),
        "map": [
            "maptype", "type", "rule", "ipaddr", "ip4prefixlen", "ip6prefix", "ip6prefixlen", "peeraddr", "ealen",
            "psidlen", "psid", "offset", "legacymap", "tunlink", "ttl", "zone", "encaplimit", "draft03",
            "snat_params",
        ],
        "dslite": ["peeraddr", "ip6addr", "tunlink", "ttl", "encaplimit", "zone"],
        "6in4": [
            "peeraddr", "ip6addr", "ip6prefix", "tunlink", "tunnelid", "username", "password", "updatekey", "ttl",
            "tos",
        ],
        "6rd": ["peeraddr", "ip6prefix", "ip6prefixlen", "ip4prefixlen", "ipaddr", "tunlink", "ttl", "tos", "zone"],
        "wireguard": ["private_key", "listen_port", "addresses", "fwmark", "ip6prefix", "nohostroute", "tunlink"],
    ]

    /// What an interface section of `proto` may hold. With no proto (interface-options on an
    /// existing interface, whose proto the playbook does not say), any proto's options.
    static func interface(proto: String?) -> Set<String>? {
        guard let proto else { return Self.proto.values.reduce(interface) { $0.union($1) } }
        return Self.proto[proto].map { interface.union($0) }
    }

    /// firewall4 zone options (fw4.uc), plus fw3's that LuCI still writes.
    static let zone: Set<String> = [
        "enabled", "name", "family", "network", "device", "subnet", "input", "output", "forward", "masq",
        "masq_allow_invalid", "masq_src", "masq_dest", "masq6", "extra", "extra_src", "extra_dest", "mtu_fix",
        "custom_chains", "log", "log_limit", "auto_helper", "helper", "counter", "conntrack",
    ]

    /// firewall4 redirect options (fw4.uc).
    static let redirect: Set<String> = [
        "enabled", "name", "family", "src", "dest", "ipset", "helper", "proto", "src_ip", "src_mac", "src_port",
        "src_dip", "src_dport", "dest_ip", "dest_port", "extra", "limit", "limit_burst", "utc_time",
        "start_date", "stop_date", "start_time", "stop_time", "weekdays", "monthdays", "mark", "reflection",
        "reflection_src", "reflection_zone", "counter", "log", "log_limit", "target",
    ]

    /// netifd rule options as 24.10 reads them (iprule.c; sport, dport and ipproto came later).
    static let rule: Set<String> = [
        "in", "out", "invert", "src", "dest", "priority", "tos", "mark", "lookup", "suppress_prefixlength",
        "uidrange", "action", "goto", "disabled",
    ]

    /// firewall4 rule options (fw4.uc).
    static let firewallRule: Set<String> = [
        "enabled", "name", "family", "src", "dest", "device", "direction", "ipset", "helper", "set_helper", "proto",
        "src_ip", "src_mac", "src_port", "dest_ip", "dest_port", "icmp_type", "extra", "limit", "limit_burst",
        "utc_time", "start_date", "stop_date", "start_time", "stop_time", "weekdays", "monthdays", "mark",
        "set_mark", "set_xmark", "dscp", "set_dscp", "counter", "log", "log_limit", "target",
    ]

    /// firewall4 nat (SNAT) options (fw4.uc).
    static let firewallNAT: Set<String> = [
        "enabled", "name", "family", "src", "device", "ipset", "proto", "src_ip", "src_port", "snat_ip", "snat_port",
        "dest_ip", "dest_port", "extra", "limit", "limit_burst", "connlimit_ports", "utc_time", "start_date",
        "stop_date", "start_time", "stop_time", "weekdays", "monthdays", "mark", "counter", "log", "target",
    ]

    /// A `config device` section: netifd's device options and those of bridges, VLANs, macvlans, veths.
    static let device: Set<String> = interface.subtracting([
        "proto", "auto", "zone", "metric", "peerdns", "defaultroute",
    ]).union([
        "name", "type", "ports", "ifname", "disabled",
        "stp", "forward_delay", "priority", "ageing_time", "hello_time", "max_age", "igmp_snooping", "bridge_empty",
        "multicast_querier", "hash_max", "robustness", "query_interval", "query_response_interval",
        "last_member_interval", "vlan_filtering", "stp_kernel", "stp_proto",
        "vid", "ingress_qos_mapping", "egress_qos_mapping", "mode", "peer_macaddr", "peer_name",
    ])

    /// What a `uci-section` step may set on a section type wrtform knows; nil for the others
    /// (dhcp pools, system, anything else: written as given).
    static func section(config: String, type: String, proto: String?) -> Set<String>? {
        switch (config, type) {
        case ("network", "interface"): return interface(proto: proto) ?? interface
        case ("network", "rule"), ("network", "rule6"): return rule
        case ("network", "device"): return device
        case ("firewall", "zone"): return zone
        case ("firewall", "redirect"): return redirect
        case ("firewall", "rule"): return firewallRule
        case ("firewall", "forwarding"): return ["enabled", "name", "family", "src", "dest"]
        case ("firewall", "nat"): return firewallNAT
        default: return nil
        }
    }
}
