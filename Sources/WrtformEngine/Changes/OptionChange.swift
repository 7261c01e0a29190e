import WrtformUCI

/// An option's value before and after a change (nil: unset).
public struct OptionChange: Sendable, Hashable, Codable {
    public var key: String
    public var old: UCIValue?
    public var new: UCIValue?

    public init(key: String, old: UCIValue?, new: UCIValue?) {
        self.key = key
        self.old = old
        self.new = new
    }
}
