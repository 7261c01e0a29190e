import WrtformPlaybook

/// The names the DDNS hook keeps updated, from the playbook's `ddns_domain` and `ddns_hosts`
/// ("@" is the domain itself).
enum DoctorHostnames {
    static func from(_ playbook: Playbook) -> [String] {
        guard let domain = playbook.scalar("ddns_domain"), !domain.isEmpty else { return [] }
        let hosts = (playbook.scalar("ddns_hosts") ?? "@").split(separator: " ").map(String.init)
        return hosts.map { $0 == "@" ? domain : "\($0).\(domain)" }
    }
}
