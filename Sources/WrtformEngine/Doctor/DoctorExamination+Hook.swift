import WrtformUCI

/// The hook, and what survives a sysupgrade.
extension DoctorExamination {
    mutating func examineHook() {
        if let hook = setup.hookPath {
            let file = state.file(hook)
            let syntaxCheck = "\(hook) parses (sh -n)"
            let logCheck = "the hook's last log line"
            if file.exists {
                var problems: [String] = []
                if (Int(file.mode, radix: 8) ?? 0) & 0o022 != 0 {
                    problems.append("mode \(file.mode) lets others rewrite a script root runs")
                }
                if let mode = setup.hookMode, mode != file.mode {
                    problems.append("mode \(file.mode), the playbook sets \(mode)")
                }
                if let hash = setup.hookHash, hash != file.hash {
                    problems.append("its content differs from the playbook's")
                }
                add(
                    "hook", "\(hook) is installed", problems.isEmpty, "mode \(file.mode), as the playbook writes it",
                    problems.joined(separator: "; "),
                    hint: "apply the playbook again")
                if let probe = snapshot.probes[Probe.hookSyntax] {
                    add(
                        "hook-syntax", syntaxCheck, probe.status == 0, "ok",
                        probe.output.firstLine.isEmpty ? "exit \(probe.status)" : probe.output.firstLine,
                        hint: "apply the playbook again; every hotplug event sources this file")
                } else {
                    skip("hook-syntax", syntaxCheck, Self.needsLiveRouter)
                }
                examineHookLog(logCheck)
            } else {
                fail("hook", "\(hook) is installed", "missing", hint: "apply the playbook")
                skip("hook-syntax", syntaxCheck, "the hook is not installed")
                skip("hook-log", logCheck, "the hook is not installed")
            }
        }

        var kept: [String] = []
        if let table = setup.table, !RoutingTables.isBuiltIn(table) { kept.append(ConfigFile.rtTables) }
        if let hook = setup.hookPath { kept.append(hook) }
        guard !kept.isEmpty else { return }
        let entries = state.file(ConfigFile.sysupgrade).text.split(whereSeparator: \.isNewline)
            .map { String($0).trimmingSpaces }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
        func covered(_ path: String) -> Bool {
            entries.contains { $0 == path || path.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }
        }
        let missing = kept.filter { !covered($0) }
        add(
            "sysupgrade", "\(kept.count == 2 ? "rt_tables and the hook survive" : "\(kept[0]) survives") a sysupgrade",
            missing.isEmpty,
            "listed in /etc/sysupgrade.conf", "not in /etc/sysupgrade.conf: \(missing.joined(separator: ", "))",
            hint: "add a sysupgrade-keep step for them")
    }

    mutating func examineHookLog(_ check: String) {
        guard let tag = setup.logTag else {
            skip("hook-log", check, "the hook does not log (no `logger -t TAG`)")
            return
        }
        guard let probe = snapshot.probes[Probe.hookLog] else {
            skip("hook-log", check, Self.needsLiveRouter)
            return
        }
        guard probe.status != 127 else {
            skip("hook-log", check, "no logread on this router")
            return
        }
        let line = probe.output.split(whereSeparator: \.isNewline).last.map { String($0).trimmingSpaces } ?? ""
        if line.isEmpty {
            skip("hook-log", check, "nothing logged under \(tag) yet (it logs when \(interface) comes up)")
        } else {
            let lower = line.lowercased()
            add(
                "hook-log", check, !lower.contains("fail") && !lower.contains("error"), line, line,
                hint: "see `logread -e \(tag)`: the last update did not go through")
        }
    }
}
