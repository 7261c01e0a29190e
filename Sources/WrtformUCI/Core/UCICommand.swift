/// One command of a config file, decoded: what uci acts on.
struct UCICommand: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// `package NAME`: checked, then ignored when a file is loaded as one config (uci_import with `single`).
        case package(String)
        /// `config TYPE ['NAME']`; an empty name is anonymous, as in uci.
        case config(type: String, name: String?)
        /// `option KEY VALUE`; an empty value does nothing while loading.
        case option(key: String, value: String)
        /// `list KEY ITEM`.
        case list(key: String, value: String)
    }

    var kind: Kind
    /// Unique within a file value; the id of the `config` command that creates a section is the section's ID, and
    /// the id of the command that creates an option marks where that option sits.
    var id: Int
    /// Bytes of the value argument of an option or list in the text it was parsed from (quotes included), for masking
    /// secrets in diffs; nil once written by an edit or when the value is absent.
    var valueRange: Range<Int>? = nil
}
