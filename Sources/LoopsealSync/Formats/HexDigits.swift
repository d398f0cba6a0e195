/// Upper-case, zero-padded hexadecimal used by the escaping formats.
enum HexDigits {
    /// `value` in upper-case hex, left-padded with zeros to at least `width` digits.
    static func padded(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
