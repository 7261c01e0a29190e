/// One `config TYPE ['NAME']` section as uci sees it after loading the file.
///
/// A value snapshot: edit through `UCIFile`, then read the section again.
public struct UCISection: Sendable, Equatable, Identifiable {
    /// Identifies a section within one `UCIFile` value across edits. Not stable across separate parses of edited text:
    /// after re-reading a file, find sections again by name or by content.
    public struct ID: Hashable, Sendable, CustomStringConvertible {
        let raw: Int

        public var description: String { "section#\(raw)" }
    }

    public let id: ID
    public let type: String
    /// nil for an anonymous section.
    public let name: String?
    /// In uci's order, one entry per key (a list is one entry).
    public let options: [UCIOption]
    /// Position among all sections of the file; firewall rules and redirects are evaluated in this order.
    public let index: Int
    /// The name uci itself gives the section: `name`, or for an anonymous section the `cfgXXYYYY` name computed from
    /// its position and type when the file loads (what `uci show` prints). It changes when sections before it are
    /// added or deleted, so never store it; match anonymous sections by content.
    public let uciName: String

    public var isAnonymous: Bool { name == nil }

    public subscript(key: String) -> UCIValue? {
        options.first { $0.key == key }?.value
    }
}
