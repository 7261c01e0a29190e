/// The step kinds a playbook can name, in the router's own words.
public enum StepKind: String, Sendable, CaseIterable {
    case routingTable = "routing-table"
    case interface = "interface"
    case interfaceOptions = "interface-options"
    case firewallZone = "firewall-zone"
    case forwarding = "forwarding"
    case redirect = "redirect"
    case networkRule = "network-rule"
    case file = "file"
    case uciSection = "uci-section"
    case uciOption = "uci-option"
    case sysupgradeKeep = "sysupgrade-keep"
    case cronJob = "cron-job"
    case firewallRule = "firewall-rule"
    case package = "package"
    case service = "service"

    public static var names: [String] { allCases.map(\.rawValue) }
}
