/// Packages that must be installed (or, with `absent: true`, must not be): `map`, `wireguard-tools`,
/// `ddns-scripts`. The plan reads what is installed in its one snapshot; apply installs or removes in
/// a round trip of its own after the file write and before the reload, journaling exactly what the
/// package manager added or took away, so a rollback removes only what the run installed.
public struct PackageStep: Step {
    public let id: String
    public let location: SourceLocation?
    public let names: [String]
    public let absent: Bool
    public var kind: StepKind { .package }
    public var files: [String] { [] }

    public static let fields: Set<String> = ["name", "absent"]

    public init(_ input: StepInput) throws {
        try input.allowOnly(Self.fields)
        id = input.id
        location = input.location
        guard let written = try input.strings("name"), !written.isEmpty else {
            throw EngineError(.invalidInput, "package step '\(input.id)' needs a 'name' (one or a list)", at: location)
        }
        var names: [String] = []
        for name in written where !names.contains(name) {
            guard Self.isValidName(name) else {
                throw input.error(
                    "name",
                    "'\(name)' is not a package name (letters, digits and + . _ -, starting with a letter or digit)")
            }
            names.append(name)
        }
        self.names = names
        absent = try ServiceStep.flag(input, "absent") ?? false
    }

    /// opkg's and apk's package names, checked as bytes: they go into a shell command and a log.
    static func isValidName(_ name: String) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= 100 else { return false }
        func plain(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        return plain(first) && name.utf8.allSatisfy { plain($0) || "+._-".utf8.contains($0) }
    }

    public func check(_ state: RouterState) throws -> [Change] {
        let database = try state.packageDatabase(for: self)
        return names.compactMap { name in
            let installed = database.installed[name] != nil
            if absent { return installed ? .package(name: name, install: false) : nil }
            return installed ? nil : .package(name: name, install: true)
        }
    }
}

extension RouterState {
    /// The installed packages, or why a package step cannot be planned here.
    func packageDatabase(for step: PackageStep) throws -> PackageDatabase {
        guard let database = packages else {
            throw EngineError(
                .unsupported, "package step '\(step.id)': packages are installed on a running router, over SSH",
                at: step.location, hint: "for an image, list the packages in Image Builder's PACKAGES instead")
        }
        guard database.manager != "none" else {
            throw EngineError(
                .unsupported, "package step '\(step.id)': the router has neither opkg nor apk", at: step.location,
                hint: "install the packages into the image (Image Builder) or drop the step")
        }
        return database
    }
}
