import Foundation

/// The package manager stand-ins' knobs and records (routers started with `Options.packageManager`).
extension VirtualRouter {
    /// The packages the feed offers (name → version).
    public static var feedPackages: [String: String] {
        Dictionary(uniqueKeysWithValues: RouterPackages.available.map { ($0.name, $0.version) })
    }

    /// Makes `update` and installs work, fail for want of network, or fail for want of flash.
    public func setPackageFeed(_ behavior: PackageFeedBehavior) throws {
        let behaviors = recordDirectory.appendingPathComponent(RouterScripts.behaviorDirectoryName)
        let offline = behaviors.appendingPathComponent(RouterPackages.offlineKnob)
        let space = behaviors.appendingPathComponent(RouterPackages.spaceKnob)
        let stall = behaviors.appendingPathComponent(RouterPackages.stallKnob)
        let stalled = behaviors.appendingPathComponent(RouterPackages.stallKnob + ".reached")
        for file in [offline, space, stall, stalled] where FileManager.default.fileExists(atPath: file.path) {
            try FileManager.default.removeItem(at: file)
        }
        switch behavior {
        case .online: break
        case .offline: try Data().write(to: offline)
        case .fullFlash(let kilobytes): try Data("\(kilobytes)".utf8).write(to: space)
        case .stalled: try Data().write(to: stall)
        }
    }

    /// Whether opkg is hanging in a download the feed set to `.stalled` holds up.
    public var isPackageDownloadStalled: Bool {
        FileManager.default.fileExists(
            atPath: recordDirectory.appendingPathComponent(RouterScripts.behaviorDirectoryName)
                .appendingPathComponent(RouterPackages.stallKnob + ".reached").path)
    }

    /// How many times `opkg update` / `apk update` fetched the lists.
    public func packageListUpdates() -> Int {
        let log = recordDirectory.appendingPathComponent(RouterPackages.updateLogName)
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").count
    }

    /// The names in the router's installed database (opkg's status file or apk's), sorted.
    public func installedPackages() -> [String] {
        let opkg = root.appendingPathComponent("usr/lib/opkg/status")
        let apk = root.appendingPathComponent("lib/apk/db/installed")
        if let text = try? String(contentsOf: apk, encoding: .utf8) {
            return text.split(separator: "\n").filter { $0.hasPrefix("P:") }.map { String($0.dropFirst(2)) }.sorted()
        }
        let text = (try? String(contentsOf: opkg, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").filter { $0.hasPrefix("Package: ") }.map { String($0.dropFirst(9)) }
            .sorted()
    }
}
