/// Doctor's package checks: each package a playbook's package steps name is installed (or, with
/// `absent: true`, is not), read from the package manager's database in doctor's one round trip.
public struct PackageDoctor: Sendable {
    /// Package name → whether the playbook wants it installed.
    public var wanted: [(name: String, installed: Bool)]

    public init(steps: [any Step]) {
        var wanted: [(name: String, installed: Bool)] = []
        for case let step as PackageStep in steps {
            for name in step.names where !wanted.contains(where: { $0.name == name }) {
                wanted.append((name, !step.absent))
            }
        }
        self.wanted = wanted
    }

    public var isEmpty: Bool { wanted.isEmpty }

    public var probes: [RouterProbe] { isEmpty ? [] : [PackageDatabase.probe] }

    /// For a playbook with no PPPoE interface: the package checks alone, in one round trip.
    public func run(on target: any RouterTarget) async throws -> [DoctorFinding] {
        findings(in: try await target.snapshot(paths: [], run: nil, probes: probes))
    }

    public func findings(in snapshot: Snapshot) -> [DoctorFinding] {
        let database = PackageDatabase(probe: snapshot.probes[PackageDatabase.probeName])
        return wanted.map { package in
            let id = "package:\(package.name)"
            let check = "package \(package.name) is \(package.installed ? "installed" : "not installed")"
            guard let database else { return DoctorFinding(id: id, check, .skip, DoctorExamination.needsLiveRouter) }
            guard database.manager != "none" else {
                return DoctorFinding(id: id, check, .skip, "the router has neither opkg nor apk")
            }
            let version = database.installed[package.name]
            if package.installed {
                return version.map { DoctorFinding(id: id, check, .ok, "\(database.manager): \($0)") }
                    ?? DoctorFinding(
                        id: id, check, .fail, "missing", hint: "apply the playbook: it installs \(package.name)")
            }
            return version == nil
                ? DoctorFinding(id: id, check, .ok, "not installed")
                : DoctorFinding(
                    id: id, check, .fail, "installed (\(version ?? ""))", hint: "apply the playbook: it removes it")
        }
    }
}
