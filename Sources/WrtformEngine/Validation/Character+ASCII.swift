/// ASCII-only character classes: names on the router are ASCII.
extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
    var isASCIILetter: Bool { isASCII && isLetter }
    var isASCIIAlnum: Bool { isASCIIDigit || isASCIILetter }
}
