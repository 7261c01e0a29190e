import WrtformEngine

/// The packages and services part of apply's last line: "2 package(s) installed, 1 service verb(s) run, ".
enum CommandSummary {
    static func fragment(_ commands: [Change]) -> String {
        var installed = 0
        var removed = 0
        var switched = 0
        for command in commands {
            switch command {
            case .package(_, let install): if install { installed += 1 } else { removed += 1 }
            case .service: switched += 1
            default: break
            }
        }
        return [
            installed > 0 ? "\(installed) package(s) installed" : nil,
            removed > 0 ? "\(removed) package(s) removed" : nil,
            switched > 0 ? "\(switched) service command(s) run" : nil,
        ].compactMap { $0 }.map { $0 + ", " }.joined()
    }
}
