/// Which init scripts must reload for the files a run changed — and only those.
enum Services {
    static func toReload(for paths: [String]) -> [String] {
        var services: [String] = []
        func add(_ name: String) { if !services.contains(name) { services.append(name) } }
        for path in paths {
            switch path {
            case ConfigFile.network, ConfigFile.rtTables: add("network")
            case ConfigFile.firewall: add("firewall")
            case let other where other.hasPrefix("/etc/config/"): add("reload_config")
            case ConfigFile.crontab: add("cron")
            default: break
            }
        }
        // network before firewall: zones refer to the interfaces netifd brings up.
        return services.sorted { order($0) < order($1) }
    }

    private static func order(_ service: String) -> Int {
        ["network": 0, "firewall": 1, "reload_config": 2][service] ?? 3
    }
}
