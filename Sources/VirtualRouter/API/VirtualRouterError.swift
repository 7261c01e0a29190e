/// Why the virtual router could not do what was asked: what is wrong, where, and what to do.
public struct VirtualRouterError: Error, CustomStringConvertible, Sendable {
    /// The class of failure; extensible without breaking callers.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// A host tool (bwrap, dropbear, busybox, ssh-keygen, flock) is not installed.
        public static let toolMissing = Kind("toolMissing")
        /// A host tool ran but failed.
        public static let toolFailed = Kind("toolFailed")
        /// The named fixture directory does not exist.
        public static let fixtureMissing = Kind("fixtureMissing")
        /// The sandbox or its SSH server did not come up.
        public static let sandboxFailed = Kind("sandboxFailed")
        /// The router was already stopped.
        public static let stopped = Kind("stopped")
        /// A record file the sandbox wrote could not be read.
        public static let badRecord = Kind("badRecord")
        /// A socket operation of the delaying proxy failed.
        public static let socketFailed = Kind("socketFailed")
        /// The `virtual-router` command line is not one it understands.
        public static let badArgument = Kind("badArgument")
    }

    public var kind: Kind
    /// What went wrong and where.
    public var detail: String
    /// What to do about it, when there is something to do.
    public var remedy: String?

    public init(_ kind: Kind, _ detail: String, remedy: String? = nil) {
        self.kind = kind
        self.detail = detail
        self.remedy = remedy
    }

    public var description: String {
        if let remedy { return "virtual router: \(detail) — \(remedy)" }
        return "virtual router: \(detail)"
    }
}
