/// JavaScript number semantics the templates need: `Number.prototype.toString` and array indexes.
package enum JSNumber {
    /// Formats `value` exactly as JavaScript's `String(value)` does.
    package static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        if value == 0 { return "0" }
        if value.magnitude < 1e15, value == value.rounded() { return String(Int64(value)) }
        let (digits, n) = shortestDigits(value.magnitude)
        let k = digits.count
        var out = value < 0 ? "-" : ""
        if k <= n && n <= 21 {
            out += digits + String(repeating: "0", count: n - k)
        } else if 0 < n && n <= 21 {
            out += String(digits.prefix(n)) + "." + String(digits.dropFirst(n))
        } else if -6 < n && n <= 0 {
            out += "0." + String(repeating: "0", count: -n) + digits
        } else {
            let exponent = n - 1
            let sign = exponent < 0 ? "-" : "+"
            out += k == 1 ? digits : String(digits.prefix(1)) + "." + String(digits.dropFirst())
            out += "e" + sign + String(abs(exponent))
        }
        return out
    }

    /// The shortest round-trip decimal digits of a positive finite double and the exponent `n`
    /// such that the value is `0.digits × 10^n`, derived from Swift's shortest description.
    private static func shortestDigits(_ value: Double) -> (String, Int) {
        let text = value.description
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...]) ?? 0
        }
        var integerPart = mantissa
        var fraction = Substring("")
        if let dot = mantissa.firstIndex(of: ".") {
            integerPart = mantissa[..<dot]
            fraction = mantissa[mantissa.index(after: dot)...]
        }
        var digits = String(integerPart) + String(fraction)
        var n = integerPart.count + exponent
        while digits.hasPrefix("0") { digits.removeFirst(); n -= 1 }
        while digits.hasSuffix("0") { digits.removeLast() }
        return (digits.isEmpty ? "0" : digits, n)
    }

    /// JavaScript's `Number(text)`: decimal, `Infinity`, and `0x`/`0o`/`0b` integers; NaN otherwise.
    package static func parse(_ text: String) -> Double {
        let trimmed = text.unicodeScalars.drop(while: JSWhitespace.contains)
        let scalars = Array(trimmed.reversed().drop(while: JSWhitespace.contains).reversed())
        let value = String(String.UnicodeScalarView(scalars))
        if value.isEmpty { return 0 }
        if value == "Infinity" || value == "+Infinity" { return .infinity }
        if value == "-Infinity" { return -.infinity }
        if let radix = radixOfPrefix(value) { return parse(value.utf8.dropFirst(2), radix: radix) }
        guard value.allSatisfy({ "0123456789+-.eE".contains($0) }), let number = Double(value) else { return .nan }
        return number
    }

    /// 16, 8 or 2 for text starting `0x`, `0o` or `0b` (either case), as `Number` reads them.
    private static func radixOfPrefix(_ text: String) -> Int? {
        let utf8 = Array(text.utf8.prefix(2))
        guard utf8.count == 2, utf8[0] == UInt8(ascii: "0") else { return nil }
        switch utf8[1] | 0x20 {
        case UInt8(ascii: "x"): return 16
        case UInt8(ascii: "o"): return 8
        case UInt8(ascii: "b"): return 2
        default: return nil
        }
    }

    /// Digits in `radix` (at least one, no sign), or NaN.
    private static func parse(_ digits: Substring.UTF8View, radix: Int) -> Double {
        guard !digits.isEmpty else { return .nan }
        var value = 0.0
        for byte in digits {
            let digit: Int
            switch byte {
            case 0x30...0x39: digit = Int(byte - 0x30)
            case UInt8(ascii: "a")...UInt8(ascii: "z"): digit = Int(byte - UInt8(ascii: "a")) + 10
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): digit = Int(byte - UInt8(ascii: "A")) + 10
            default: return .nan
            }
            guard digit < radix else { return .nan }
            value = value * Double(radix) + Double(digit)
        }
        return value
    }

    /// The array index a property name denotes (`"0"`, `"12"`; not `"01"` or `"-1"`).
    package static func arrayIndex(_ name: String) -> Int? {
        let utf8 = name.utf8
        guard let first = utf8.first, utf8.count <= 10, first >= 0x30, first <= 0x39 else { return nil }
        if first == 0x30 && utf8.count > 1 { return nil }
        var value = 0
        for byte in utf8 {
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value < 4_294_967_295 ? value : nil
    }
}
