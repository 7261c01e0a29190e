/// One option of a section: a key and its value. A list is one `UCIOption` whose value is `.list`.
public struct UCIOption: Sendable, Equatable, Hashable {
    public var key: String
    public var value: UCIValue

    public init(_ key: String, _ value: UCIValue) {
        self.key = key
        self.value = value
    }
}
