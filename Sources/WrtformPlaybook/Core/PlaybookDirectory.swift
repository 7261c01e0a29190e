import Foundation
import WrtformEngine

#if canImport(Glibc)
    import Glibc
#endif

/// The folder a playbook may read from. A playbook from elsewhere is input like any other: its
/// `template:` and secret `file:` paths must stay inside its own directory, after symlinks, or it
/// could have `apply` copy ~/.ssh/id_ed25519 to the router. `--allow-outside-templates` lifts this.
struct PlaybookDirectory {
    /// As the playbook's path was typed (relative paths are relative to it).
    var path: String
    var allowOutside: Bool

    /// `path` with every symlink resolved, or nil if it cannot be resolved.
    static func real(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Whether `child` (both resolved) is `parent` itself or below it, compared as bytes.
    static func contains(_ parent: String, _ child: String) -> Bool {
        let base = Array(parent.utf8)
        let candidate = Array(child.utf8)
        if base == [UInt8(ascii: "/")] { return true }
        guard candidate.starts(with: base) else { return false }
        return candidate.count > base.count && candidate[base.count] == UInt8(ascii: "/")
    }

    /// The absolute path of `relative` (a template or secret file), refusing one outside the
    /// directory. A file that does not exist is checked by its path alone (the caller reports it
    /// missing). `what` names it in the message: "template 'x'".
    func confine(_ relative: String, what: String, at location: SourceLocation?) throws -> String {
        let absolute = relative.utf8.first == UInt8(ascii: "/") ? relative : path + "/" + relative
        guard !allowOutside else { return absolute }
        let base = Self.real(path) ?? path
        let hint = "keep it beside the playbook, or pass --allow-outside-templates if you trust this playbook"
        if let resolved = Self.real(absolute) {
            guard Self.contains(base, resolved) else {
                let through = resolved == absolute ? "" : " (it resolves to \(resolved))"
                throw EngineError(
                    .invalidInput, "\(what) is outside the playbook's directory\(through)", at: location, hint: hint)
            }
            return absolute
        }
        // Missing: judge the path as written, its `..` steps included.
        let parts = absolute.utf8.split(separator: UInt8(ascii: "/")).map { String(decoding: $0, as: UTF8.self) }
        var stack: [String] = []
        for part in parts where part != "." {
            if part == ".." { _ = stack.popLast() } else { stack.append(part) }
        }
        let normal = "/" + stack.joined(separator: "/")
        guard Self.contains(base, normal) || Self.contains(path, normal) else {
            throw EngineError(.invalidInput, "\(what) is outside the playbook's directory", at: location, hint: hint)
        }
        return absolute
    }
}
