import Foundation
import WrtformEngine

/// Which hosts of an inventory a fleet run touches: `--limit` patterns, then `--shard I/N`.
public enum InventorySelection {
    /// Hosts matching a comma-separated list of host names, group names and shell globs, in inventory
    /// order; no limit means every host. An empty selection is an error listing the known names.
    public static func select(_ inventory: Inventory, limit: String?) throws -> [Inventory.Host] {
        guard let limit else { return inventory.hosts }
        let patterns = limit.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        var wanted = Set<String>()
        for pattern in patterns {
            if let group = inventory.groups.first(where: { $0.name == pattern }) {
                wanted.formUnion(group.hosts)
            }
            for host in inventory.hosts where host.name == pattern || glob(pattern, matches: host.name) {
                wanted.insert(host.name)
            }
        }
        let selected = inventory.hosts.filter { wanted.contains($0.name) }
        guard !selected.isEmpty else {
            let groups = inventory.groups.map(\.name)
            // One plain name that is a near miss (a typo): say which name was meant.
            let typo =
                patterns.count == 1 && !patterns[0].unicodeScalars.contains { "*?[".unicodeScalars.contains($0) }
                ? Suggestion.hint(for: patterns[0], in: inventory.hosts.map(\.name) + groups) : nil
            throw EngineError(
                .notFound, "--limit '\(limit)' selects no host of the inventory \(inventory.path)",
                hint: typo
                    ?? "hosts: \(inventory.hosts.map(\.name).joined(separator: ", "))"
                    + (groups.isEmpty ? "" : "; groups: \(groups.joined(separator: ", "))"))
        }
        return selected
    }

    /// Parses `I/N` (1 ≤ I ≤ N).
    public static func parseShard(_ text: String) throws -> (index: Int, count: Int) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count >= 1,
            (1...count).contains(index)
        else {
            throw EngineError(
                .invalidInput, "--shard \(text) is not I/N with 1 ≤ I ≤ N", hint: "for example --shard 2/4")
        }
        return (index, count)
    }

    /// The hosts of shard `index` of `count`: stable across runs, machines and Swift versions, because
    /// the bucket comes from FNV-1a of the name's UTF-8 bytes, not from Swift's per-process seeded Hasher.
    public static func shard(_ hosts: [Inventory.Host], index: Int, count: Int) -> [Inventory.Host] {
        hosts.filter { bucket(of: $0.name, count: count) == index - 1 }
    }

    /// 0-based bucket of a host name among `count`.
    public static func bucket(of name: String, count: Int) -> Int {
        Int(fnv1a(name) % UInt64(max(count, 1)))
    }

    /// 64-bit FNV-1a of the UTF-8 bytes.
    public static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    /// Shell glob on Unicode scalars: `*` any run, `?` one scalar, `[abc]`/`[a-z]`/`[!a]` a class.
    public static func glob(_ pattern: String, matches name: String) -> Bool {
        match(Array(pattern.unicodeScalars), 0, Array(name.unicodeScalars), 0)
    }

    private static func match(_ p: [Unicode.Scalar], _ pi: Int, _ s: [Unicode.Scalar], _ si: Int) -> Bool {
        var pi = pi
        var si = si
        var starP = -1
        var starS = 0
        while si < s.count {
            if pi < p.count, p[pi] == "*" {
                starP = pi
                starS = si
                pi += 1
                continue
            }
            if pi < p.count, let next = single(p, pi, s[si]) {
                pi = next
                si += 1
                continue
            }
            guard starP >= 0 else { return false }
            pi = starP + 1
            starS += 1
            si = starS
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }

    /// If the pattern element at `pi` matches `c`, the index after it.
    private static func single(_ p: [Unicode.Scalar], _ pi: Int, _ c: Unicode.Scalar) -> Int? {
        if p[pi] == "?" { return pi + 1 }
        guard p[pi] == "[", let close = p[(pi + 1)...].firstIndex(of: "]"), close > pi + 1 else {
            return p[pi] == c ? pi + 1 : nil
        }
        var i = pi + 1
        let negate = p[i] == "!" || p[i] == "^"
        if negate { i += 1 }
        var found = false
        while i < close {
            if i + 2 < close, p[i + 1] == "-" {
                if p[i].value <= c.value && c.value <= p[i + 2].value { found = true }
                i += 3
            } else {
                if p[i] == c { found = true }
                i += 1
            }
        }
        return found != negate ? close + 1 : nil
    }
}
