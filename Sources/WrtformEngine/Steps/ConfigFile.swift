/// The files the built-in step kinds manage.
enum ConfigFile {
    static let network = "/etc/config/network"
    static let firewall = "/etc/config/firewall"
    static let rtTables = "/etc/iproute2/rt_tables"
    static let sysupgrade = "/etc/sysupgrade.conf"
    static let system = "/etc/config/system"
    static let crontab = "/etc/crontabs/root"
}
