import WrtformUCI

/// What a freshly flashed OpenWrt 24.10 has in the configs import reads (base-files, firewall4,
/// dnsmasq/odhcpd defaults), so an import leaves out what the user never changed. Values that
/// differ per board or per flash (ports, the ULA prefix, the wan device) do not count as changes.
enum StockConfig {
    /// Options whose stock value depends on the board or on the first boot.
    static let boardSpecific: [String: Set<String>] = [
        "globals": ["ula_prefix", "packet_steering"], "device": ["ports", "macaddr"],
        "interface": ["device", "macaddr"], "system": ["hostname"],
    ]

    /// Files under /etc/hotplug.d that a 24.10 image's default packages install (base-files,
    /// dnsmasq, odhcpd; a best-effort list): never imported as the user's own.
    static let hotplugFiles: Set<String> = [
        "/etc/hotplug.d/iface/00-netstate", "/etc/hotplug.d/net/00-sysctl", "/etc/hotplug.d/block/10-mount",
        "/etc/hotplug.d/iface/20-firewall", "/etc/hotplug.d/iface/25-dnsmasq",
        "/etc/hotplug.d/iface/30-odhcpd", "/etc/hotplug.d/net/20-smp-packet-steering",
        "/etc/hotplug.d/ntp/25-dnsmasqsec",
        "/etc/hotplug.d/dhcp/00-odhcpd", "/etc/hotplug.d/ieee80211/10-wifi-detect", "/etc/hotplug.d/tftp/.keep",
    ]

    /// The stock routing tables (rt_tables): 0, 128 (some builds), 253-255.
    static let tables: Set<String> = ["0", "128", "253", "254", "255"]

    static func file(_ config: String) -> UCIFile? {
        guard let text = texts[config] else { return nil }
        return try? UCIFile(parsing: text)
    }

    static let texts: [String: String] = [
        "network": """
        config interface 'loopback'
        	option device 'lo'
        	option proto 'static'
        	option ipaddr '127.0.0.1'
        	option netmask '255.0.0.0'

        config globals 'globals'
        	option ula_prefix 'fd3c:91e2:7b44::/48'
        	option packet_steering '1'

        config device
        	option name 'br-lan'
        	option type 'bridge'
        	list ports 'lan1'
        	list ports 'lan2'
        	list ports 'lan3'

        config interface 'lan'
        	option device 'br-lan'
        	option proto 'static'
        	option ipaddr '192.168.1.1'
        	option netmask '255.255.255.0'
        	option ip6assign '60'

        config interface 'wan'
        	option device 'wan'
        	option proto 'dhcp'

        config interface 'wan6'
        	option device 'wan'
        	option proto 'dhcpv6'
        """,
        "firewall": """
        config defaults
        	option syn_flood	1
        	option input		REJECT
        	option output		ACCEPT
        	option forward		REJECT

        config zone
        	option name		lan
        	list network		'lan'
        	option input		ACCEPT
        	option output		ACCEPT
        	option forward		ACCEPT

        config zone
        	option name		wan
        	list network		'wan'
        	list network		'wan6'
        	option input		REJECT
        	option output		ACCEPT
        	option forward		REJECT
        	option masq		1
        	option mtu_fix		1

        config forwarding
        	option src    lan
        	option dest   wan

        config rule
        	option name		Allow-DHCP-Renew
        	option src		wan
        	option family		ipv4
        	option proto		udp
        	option dest_port	68
        	option target		ACCEPT

        config rule
        	option name		Allow-Ping
        	option src		wan
        	option family		ipv4
        	option proto		icmp
        	option icmp_type	echo-request
        	option target		ACCEPT

        config rule
        	option name		Allow-IGMP
        	option src		wan
        	option family		ipv4
        	option proto		igmp
        	option target		ACCEPT

        config rule
        	option name		Allow-DHCPv6
        	option src		wan
        	option family		ipv6
        	option proto		udp
        	option dest_port	546
        	option target		ACCEPT

        config rule
        	option name		Allow-MLD
        	option src		wan
        	option family		ipv6
        	option proto		icmp
        	option src_ip		fe80::/10
        	list icmp_type		'130/0'
        	list icmp_type		'131/0'
        	list icmp_type		'132/0'
        	list icmp_type		'143/0'
        	option target		ACCEPT

        config rule
        	option name		Allow-ICMPv6-Input
        	option src		wan
        	option family		ipv6
        	option proto		icmp
        	list icmp_type		echo-request
        	list icmp_type		echo-reply
        	list icmp_type		destination-unreachable
        	list icmp_type		packet-too-big
        	list icmp_type		time-exceeded
        	list icmp_type		bad-header
        	list icmp_type		unknown-header-type
        	list icmp_type		router-solicitation
        	list icmp_type		neighbour-solicitation
        	list icmp_type		router-advertisement
        	list icmp_type		neighbour-advertisement
        	option limit		1000/sec
        	option target		ACCEPT

        config rule
        	option name		Allow-ICMPv6-Forward
        	option src		wan
        	option dest		*
        	option family		ipv6
        	option proto		icmp
        	list icmp_type		echo-request
        	list icmp_type		echo-reply
        	list icmp_type		destination-unreachable
        	list icmp_type		packet-too-big
        	list icmp_type		time-exceeded
        	list icmp_type		bad-header
        	list icmp_type		unknown-header-type
        	option limit		1000/sec
        	option target		ACCEPT

        config rule
        	option name		Allow-IPSec-ESP
        	option src		wan
        	option dest		lan
        	option proto		esp
        	option target		ACCEPT

        config rule
        	option name		Allow-ISAKMP
        	option src		wan
        	option dest		lan
        	option proto		udp
        	option dest_port	500
        	option target		ACCEPT
        """,
        "dhcp": """
        config dnsmasq
        	option domainneeded '1'
        	option boguspriv '1'
        	option filterwin2k '0'
        	option localise_queries '1'
        	option rebind_protection '1'
        	option rebind_localhost '1'
        	option local '/lan/'
        	option domain 'lan'
        	option expandhosts '1'
        	option nonegcache '0'
        	option cachesize '1000'
        	option authoritative '1'
        	option readethers '1'
        	option leasefile '/tmp/dhcp.leases'
        	option resolvfile '/tmp/resolv.conf.d/resolv.conf.auto'
        	option nonwildcard '1'
        	option localservice '1'
        	option ednspacket_max '1232'
        	option filter_aaaa '0'
        	option filter_a '0'

        config dhcp 'lan'
        	option interface 'lan'
        	option start '100'
        	option limit '150'
        	option leasetime '12h'
        	option dhcpv4 'server'
        	option dhcpv6 'server'
        	option ra 'server'
        	option ra_slaac '1'
        	list ra_flags 'managed-config'
        	list ra_flags 'other-config'

        config dhcp 'wan'
        	option interface 'wan'
        	option ignore '1'

        config odhcpd 'odhcpd'
        	option maindhcp '0'
        	option leasefile '/tmp/hosts/odhcpd'
        	option leasetrigger '/usr/sbin/odhcpd-update'
        	option loglevel '4'
        """,
    ]
}
