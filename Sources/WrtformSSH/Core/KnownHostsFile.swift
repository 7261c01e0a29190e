internal import CLibSSH2
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// An OpenSSH known_hosts file: checked with libssh2's matcher (plain, hashed `|1|…` and
/// `[host]:port` names), appended to for accept-new.
///
/// Lines are fed to libssh2 one at a time rather than with `libssh2_knownhost_readfile`,
/// which stops at the first line it cannot parse (`@cert-authority`, security-key types) and
/// would silently ignore everything after it. Feeding single lines also finds the line
/// number of a conflicting entry, which libssh2 does not report.
///
/// Markers, which libssh2 does not know: a `@revoked` line's key is refused for its hosts before
/// anything else is looked at (as OpenSSH does), so accept-new can never record it again;
/// `@cert-authority` lines are skipped (dropbear serves no host certificates).
struct KnownHostsFile {
    enum Verdict {
        case match
        case notFound
        /// The key is marked `@revoked` for the host, at this line.
        case revoked(line: Int)
        /// Another key of the same type is recorded for the host, at this line.
        case mismatch(line: Int?)
    }

    /// As given (may start with `~/`).
    let path: String
    var fullPath: String { LocalPath.expand(path) }
    var displayPath: String { LocalPath.abbreviate(path) }

    func check(_ session: Session, name: String, key: [UInt8], keyBits: Int32) throws -> Verdict {
        guard let handle = session.handle else { throw session.closedError() }
        let lines = try readLines(target: session.target)
        guard let hosts = libssh2_knownhost_init(handle) else {
            throw SSHError(.knownHostsUnusable, session.target, "could not be checked: libssh2 failed to allocate (out of memory?)")
        }
        defer { libssh2_knownhost_free(hosts) }
        for line in lines {
            guard let entry = Self.withoutMarker(Self.revokedMarker, line.text) else { continue }
            guard let single = libssh2_knownhost_init(handle) else { break }
            defer { libssh2_knownhost_free(single) }
            if Self.add(entry, to: single), Self.check(single, name: name, key: key, keyBits: keyBits) == LIBSSH2_KNOWNHOST_CHECK_MATCH {
                return .revoked(line: line.number)
            }
        }
        var parsed: [(number: Int, text: ArraySlice<UInt8>)] = []
        for line in lines where line.text.first != UInt8(ascii: "@") && Self.add(line.text, to: hosts) {
            parsed.append(line)
        }
        switch Self.check(hosts, name: name, key: key, keyBits: keyBits) {
        case LIBSSH2_KNOWNHOST_CHECK_MATCH:
            return .match
        case LIBSSH2_KNOWNHOST_CHECK_MISMATCH:
            for line in parsed {
                guard let single = libssh2_knownhost_init(handle) else { break }
                defer { libssh2_knownhost_free(single) }
                if Self.add(line.text, to: single),
                    Self.check(single, name: name, key: key, keyBits: keyBits) == LIBSSH2_KNOWNHOST_CHECK_MISMATCH
                {
                    return .mismatch(line: line.number)
                }
            }
            return .mismatch(line: nil)
        case LIBSSH2_KNOWNHOST_CHECK_NOTFOUND:
            return .notFound
        default:
            throw SSHError(
                .knownHostsUnusable, session.target,
                "could not be checked against \(displayPath) (\(session.lastErrorMessage)); check the file")
        }
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

    /// Numbered lines worth feeding libssh2 (no blanks or comments), as views into the file's
    /// bytes: each is followed by its newline in memory. A missing file is empty.
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

    private static let revokedMarker = Array("@revoked".utf8)

    /// The rest of a line that starts with `marker` and a blank; nil for any other line.
    private static func withoutMarker(_ marker: [UInt8], _ line: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        guard line.starts(with: marker), let blank = line.dropFirst(marker.count).first,
            blank == UInt8(ascii: " ") || blank == UInt8(ascii: "\t")
        else { return nil }
        return line.dropFirst(marker.count).drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
    }

    /// Feeds one line to libssh2, NUL-terminated although its length is given: libssh2 1.10's
    /// parser reads the byte just past the line, and drops the key's last character when that
    /// stray byte happens to be a newline — a key that then "differs" (a false HOST KEY CHANGED,
    /// now and then, depending on what lies next in memory).
    private static func add(_ line: ArraySlice<UInt8>, to hosts: OpaquePointer) -> Bool {
        (Array(line) + [0]).withUnsafeBufferPointer { bytes in
            guard let base = bytes.baseAddress else { return false }
            let text = UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self)
            return libssh2_knownhost_readline(hosts, text, line.count, LIBSSH2_KNOWNHOST_FILE_OPENSSH) == 0
        }
    }

    private static func check(_ hosts: OpaquePointer, name: String, key: [UInt8], keyBits: Int32) -> Int32 {
        key.withUnsafeBufferPointer { bytes in
            guard let base = bytes.baseAddress else { return LIBSSH2_KNOWNHOST_CHECK_FAILURE }
            let raw = UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self)
            // Port -1: the name is already `[host]:port` where needed. Given a port, libssh2
            // would also accept a key filed under the bare host — laxer than OpenSSH.
            return libssh2_knownhost_checkp(
                hosts, name, -1, raw, bytes.count,
                LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | keyBits, nil)
        }
    }

    private static func lacksFinalNewline(_ fd: Int32) -> Bool {
        let size = lseek(fd, 0, SEEK_END)
        guard size > 0 else { return false }
        var last: UInt8 = 0
        return pread(fd, &last, 1, size - 1) == 1 && last != UInt8(ascii: "\n")
    }
}
