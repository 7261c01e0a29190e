/// Which package manager a virtual router has: opkg as on OpenWrt 24.10, apk as on 25.12. Either
/// stand-in keeps a real installed-packages database in the sandbox and installs from a local feed
/// of small test packages (`VirtualRouter.feedPackages`), so package tests run offline.
public enum PackageManagerKind: String, Sendable, CaseIterable {
    case opkg
    case apk
}

/// How the package feed behaves, for failure tests (`VirtualRouter.setPackageFeed`).
public enum PackageFeedBehavior: Sendable, Equatable {
    /// Downloads work.
    case online
    /// The router has no network: `update` and downloads fail as the real managers say.
    case offline
    /// The flash is full: installs fail ("Only have N kb available" from opkg, "No space left on device" from apk).
    case fullFlash(kilobytes: Int)
    /// opkg's download of a package named on its command line hangs (a stalled link) until the
    /// feed is set to another behavior; its dependencies are installed first, as opkg does.
    /// `VirtualRouter.isPackageDownloadStalled` says when opkg got there.
    case stalled
}
