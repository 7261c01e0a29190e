import WrtformUCI

/// One option a step manages, in the order it is written.
public struct OptionSetting: Sendable, Hashable, Codable {
    public var key: String
    public var value: UCIValue

    public init(_ key: String, _ value: UCIValue) {
        self.key = key
        self.value = value
    }
}
