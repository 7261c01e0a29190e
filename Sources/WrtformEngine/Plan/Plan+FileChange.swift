import WrtformUCI

extension Plan.FileChange {
    /// Every file that differs between two states, with its diff — secret values masked, and a
    /// secret file's content not shown at all.
    /// A file that cannot be written safely (see `FileState.refusal`) is an error.
    static func between(_ initial: RouterState, _ final: RouterState, secretKeys: Set<String>, secretFiles: Set<String>)
        throws -> [Plan.FileChange]
    {
        let files: [Plan.FileChange] = final.paths.compactMap { path in
            let old = initial.file(path)
            let new = final.file(path)
            guard old != new else { return nil }
            let secret = secretFiles.contains(path)
            let diff =
                secret
                ? "--- \(path)\n+++ \(path)\n(secret content hidden: \(old.content?.count ?? 0) → \(new.content?.count ?? 0) bytes)\n"
                : UnifiedDiff.make(old: old.text, new: new.text, path: path, secretOptions: secretKeys)
            return Plan.FileChange(path: path, old: old, new: new, diff: diff, isSecret: secret)
        }
        try RouterState.refuseUnwritable(files.map { ($0.path, $0.old) })
        return files
    }
}
