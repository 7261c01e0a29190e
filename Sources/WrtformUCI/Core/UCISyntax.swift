/// Character classes and name rules of uci's file format (libuci util.c `uci_validate_*`, C locale).
enum UCISyntax {
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09
    static let newline: UInt8 = 0x0A
    static let carriageReturn: UInt8 = 0x0D
    static let singleQuote: UInt8 = 0x27
    static let doubleQuote: UInt8 = 0x22
    static let backslash: UInt8 = 0x5C
    static let hash: UInt8 = 0x23
    static let semicolon: UInt8 = 0x3B

    /// C `isspace` in the C locale: space, \t, \n, \v, \f, \r.
    @inline(__always)
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == space || (byte >= 0x09 && byte <= 0x0D)
    }

    @inline(__always)
    static func isNameByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            || byte == 0x5F
    }

    /// Section and option names: non-empty, [A-Za-z0-9_] only (uci keeps them shell-safe).
    static func isValidName<C: Collection<UInt8>>(_ bytes: C) -> Bool {
        !bytes.isEmpty && bytes.allSatisfy(isNameByte)
    }

    static func isValidName(_ name: String) -> Bool {
        isValidName(name.utf8)
    }

    /// Package (config file) names: like names, plus '-'.
    static func isValidPackageName<C: Collection<UInt8>>(_ bytes: C) -> Bool {
        !bytes.isEmpty && bytes.allSatisfy { isNameByte($0) || $0 == 0x2D }
    }

    /// Section types: non-empty, printable ASCII 33-126.
    static func isValidType<C: Collection<UInt8>>(_ bytes: C) -> Bool {
        !bytes.isEmpty && bytes.allSatisfy { $0 >= 33 && $0 <= 126 }
    }

    static func isValidType(_ type: String) -> Bool {
        isValidType(type.utf8)
    }

    /// Values `uci set` accepts (util.c `uci_validate_text`): no control characters but tab, newline and carriage return.
    static func isValidValue(_ value: String) -> Bool {
        value.utf8.allSatisfy { $0 >= 32 || $0 == tab || $0 == newline || $0 == carriageReturn }
    }

    /// The name uci gives an anonymous section when it is added while loading: "cfg", the count of sections so far
    /// (this one included) as two or more hex digits, and the low 16 bits of a djb hash of the type as four.
    static func anonymousName(position: Int, type: String) -> String {
        var hash: UInt32 = 5381
        for byte in type.utf8 {
            // libuci hashes `char`, which is signed on the routers' ABIs; types are ASCII 33-126, so never negative.
            hash = hash &* 33 &+ UInt32(byte)
        }
        hash &= 0x7FFF_FFFF
        return "cfg" + hex(position, width: 2) + hex(Int(hash % 65536), width: 4)
    }

    /// Lowercase hex, zero-padded to `width` digits.
    static func hex(_ value: Int, width: Int) -> String {
        let digits = String(value, radix: 16)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// A name or type for an error message: printable ASCII kept, anything else escaped, so a message stays one line.
    static func display<C: Collection<UInt8>>(_ bytes: C) -> String {
        var out = ""
        for byte in bytes.prefix(64) {
            if byte >= 32 && byte < 127 && byte != backslash {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "\\x" + hex(Int(byte), width: 2)
            }
        }
        if bytes.count > 64 { out += "..." }
        return out
    }
}
