import WrtformUCI

/// Something a run set that was changed again since it ran: a rollback leaves it as it is now
/// (unless forced), so the undo plan can show it in place instead of only refusing.
public struct RollbackConflict: Sendable, Equatable {
    public enum Reason: String, Sendable {
        /// An option the run set has another value now (the rollback would restore the old one).
        case optionChanged = "option-changed"
        /// An option of a section the run added has another value now (the rollback would remove the section).
        case addedSectionChanged = "added-section-changed"
        /// The section whose options the run set is gone.
        case sectionRemoved = "section-removed"
        /// A file the run wrote has other content now.
        case fileChanged = "file-changed"
    }

    public var reason: Reason
    /// The step of the run that made the change (filled in by `Rollback`).
    public var step: String
    public var file: String
    /// The section as plans name it ("redirect 'web'", "interface [proto='pppoe']").
    public var section: String?
    public var option: String?
    /// What the run left there (nil: unset); secret values masked. For a file: its sha256.
    public var expected: UCIValue?
    /// What is there now (nil: unset, or the section or file is gone); secret values masked.
    public var found: UCIValue?

    public init(
        reason: Reason, step: String = "", file: String, section: String? = nil, option: String? = nil,
        expected: UCIValue? = nil, found: UCIValue? = nil
    ) {
        self.reason = reason
        self.step = step
        self.file = file
        self.section = section
        self.option = option
        self.expected = expected
        self.found = found
    }
}

/// What `rollback --dry-run` shows: the undo plan with every conflict kept as it is now, and the
/// conflicts themselves (none: a plain rollback would go ahead).
public struct RollbackPreview: Sendable {
    public var plan: Plan
    public var conflicts: [RollbackConflict]
    /// The conflicts as the error sentence lists them, one per change.
    public var messages: [String]
}
