import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An OpenSSH known_hosts file: checked with OpenSSH's rules, appended to for accept-new.
///
/// Read line by line with wrtform's own matcher (not libssh2's, which ignores markers and host
/// patterns in them, and stops at the first line it cannot parse): each line's host field is
/// matched with OpenSSH's pattern rules (`HostPattern`: `*`, `?`, `!negation`, comma lists,
/// `[host]:port`, hashed `|1|` names), and keys compare as decoded blobs. The decision, as
/// OpenSSH's `check_host_key`:
/// - a `@revoked` line naming the host and holding this key refuses it, whatever other line
///   lists it as trusted (accept-new can never record it again);
/// - any plain line naming the host with this key accepts it;
/// - any other line naming the host — a different key, of this type or another — means the
///   host identification has changed: refused, naming those lines;
/// - no line naming the host: unknown (accept-new may record it).
/// `@cert-authority` lines are skipped (dropbear serves no host certificates), and so are lines
/// that do not parse, without hiding the lines after them.
struct KnownHostsFile {
    enum Verdict: Equatable {
        case match
        case notFound
        /// The key is marked `@revoked` for the host, at this line.
        case revoked(line: Int)
        /// The host is known with other keys: these lines, each with its key type.
        case mismatch([Line])
    }

    struct Line: Equatable {
        var number: Int
        var keyType: String
    }

    /// As given (may start with `~/`).
    let path: String
    var fullPath: String { LocalPath.expand(path) }
    var displayPath: String { LocalPath.abbreviate(path) }

    /// Checks `key` (the server's key blob) for `name` (`host`, or `[host]:port` off port 22).
    func check(name: String, key: [UInt8], target: SSHTarget) throws -> Verdict {
        let host = Array(name.utf8).map(HostPattern.lower)
        var trusted = false
        var others: [Line] = []
        for line in try readLines(target: target) {
            guard let entry = KnownHostsEntry(line.text), HostPattern.field(entry.hosts, names: host) else { continue }
            switch entry.marker {
            case .revoked:
                if entry.blob == key { return .revoked(line: line.number) }
            case .certAuthority:
                continue
            case nil:
                if entry.blob == key {
                    trusted = true
                } else {
                    others.append(Line(number: line.number, keyType: entry.keyType))
                }
            }
        }
        if trusted { return .match }
        return others.isEmpty ? .notFound : .mismatch(others)
    }

    /// Appends `name keytype base64` (plain, not hashed, as OpenSSH writes with the default
    /// HashKnownHosts no), creating the file (0600) and its directory (0700) if needed.
    func append(name: String, keyType: String, blob: [UInt8], target: SSHTarget) throws {
        let file = fullPath
        let directory = (file as NSString).deletingLastPathComponent
        do {
            if !directory.isEmpty && !FileManager.default.fileExists(atPath: directory) {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            }
        } catch {
            throw unusable(target, "cannot create \(LocalPath.abbreviate(directory)): \(error.localizedDescription)")
        }
        let fd = open(file, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw unusable(target, "cannot record the host key in \(displayPath): \(String(cString: strerror(errno)))")
        }
        defer { _ = close(fd) }
        var entry = "\(name) \(keyType) \(Data(blob).base64EncodedString())\n"
        if Self.lacksFinalNewline(fd) { entry = "\n" + entry }
        let bytes = Array(entry.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else {
            throw unusable(target, "cannot record the host key in \(displayPath): \(String(cString: strerror(errno)))")
        }
    }

    // MARK: - Machinery

    private func unusable(_ target: SSHTarget, _ message: String) -> SSHError {
        SSHError(.knownHostsUnusable, target, message)
    }

    /// Numbered lines that may hold an entry (no blanks or comments), as views into the
    /// file's bytes. A missing file is empty.
    private func readLines(target: SSHTarget) throws -> [(number: Int, text: ArraySlice<UInt8>)] {
        let file = fullPath
        guard FileManager.default.fileExists(atPath: file) else { return [] }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw unusable(target, "cannot be checked: \(displayPath) is not readable; fix its permissions")
        }
        let bytes = [UInt8](data)
        var lines: [(number: Int, text: ArraySlice<UInt8>)] = []
        for (index, raw) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            var text = raw.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
            if text.last == UInt8(ascii: "\r") { text = text.dropLast() }
            if text.isEmpty || text.first == UInt8(ascii: "#") { continue }
            lines.append((index + 1, text))
        }
        return lines
    }

    private static func lacksFinalNewline(_ fd: Int32) -> Bool {
        let size = lseek(fd, 0, SEEK_END)
        guard size > 0 else { return false }
        var last: UInt8 = 0
        return pread(fd, &last, 1, size - 1) == 1 && last != UInt8(ascii: "\n")
    }
}
