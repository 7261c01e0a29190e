import Foundation

/// The PPPoE interface as the running router sees it: netifd's view (`ifstatus IFACE`, JSON, where
/// ifstatus exists) or the kernel's (`ip addr show dev pppoe-IFACE`, busybox or iproute2 format).
struct InterfaceStatus: Equatable {
    enum Source: String {
        case netifd = "ifstatus"
        case kernel = "ip addr"
    }

    var source: Source
    /// Whether the interface (or its device) exists at all.
    var exists: Bool
    var up: Bool
    var address: String?
    /// The device's MTU, from `ip addr` (netifd's JSON has none).
    var mtu: Int?
    /// netifd's error codes for the interface (AUTH_FAILED, …), or seconds up.
    var errors: [String] = []
    var uptime: Int?
    /// What the router printed when the interface is unknown.
    var message: String = ""

    /// `ifstatus IFACE`: a JSON object, or "Interface IFACE not found" (exit 1).
    static func netifd(_ output: String) -> InterfaceStatus {
        guard let data = output.data(using: .utf8),
            let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        else {
            return InterfaceStatus(source: .netifd, exists: false, up: false, message: output.firstLine)
        }
        var status = InterfaceStatus(source: .netifd, exists: true, up: (object["up"] as? Bool) ?? false)
        if let addresses = object["ipv4-address"] as? [[String: Any]] {
            status.address = addresses.compactMap { $0["address"] as? String }.first
        }
        if let errors = object["errors"] as? [[String: Any]] {
            status.errors = errors.compactMap { $0["code"] as? String }
        }
        status.uptime = (object["uptime"] as? NSNumber)?.intValue
        return status
    }

    /// `ip addr show dev DEVICE`: the link line (flags, mtu), then `inet A [peer B]/N` lines; an
    /// unknown device is an error message and a non-zero exit.
    static func kernel(_ output: String, exitStatus: Int32) -> InterfaceStatus {
        var status = InterfaceStatus(source: .kernel, exists: false, up: false)
        guard exitStatus == 0 else {
            status.message = output.firstLine
            return status
        }
        for line in output.split(whereSeparator: \.isNewline) {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if let first = words.first, first.hasSuffix(":"), Int(first.dropLast()) != nil {
                status.exists = true
                if let flags = words.first(where: { $0.hasPrefix("<") }) {
                    status.up = flags.dropFirst().dropLast().split(separator: ",").contains("UP")
                }
                if let index = words.firstIndex(of: "mtu"), index + 1 < words.count {
                    status.mtu = Int(words[index + 1])
                }
            } else if let index = words.firstIndex(of: "inet"), index + 1 < words.count, status.address == nil {
                let address = String(words[index + 1].prefix { $0 != "/" })
                if Validate.ipv4(address) { status.address = address }
            }
        }
        if !status.exists { status.message = output.firstLine }
        return status
    }
}

extension String {
    var firstLine: String { split(whereSeparator: \.isNewline).first.map(String.init) ?? "" }
}
