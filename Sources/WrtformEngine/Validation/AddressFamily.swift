/// IPv4 or IPv6, as firewall4 and netifd name them.
public enum AddressFamily: String, Sendable, Codable {
    case ipv4
    case ipv6
}
