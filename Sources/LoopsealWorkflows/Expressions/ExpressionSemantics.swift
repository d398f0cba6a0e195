import LoopsealTemplates
import LoopsealValue

/// JavaScript's value semantics as expressions use them. `nil` stands for `undefined`.
enum ExpressionSemantics {
    /// JavaScript truthiness: `undefined`, `null`, `false`, `0`, `NaN` and `""` are falsy;
    /// everything else, including `[]` and `{}`, is truthy (unlike handlebars' `isTruthy`).
    static func isTruthy(_ value: TemplateValue?) -> Bool {
        guard let value else { return false }
        switch value {
        case .null: return false
        case .bool(let b): return b
        case .number(let n): return n != 0 && !n.isNaN
        case .string(let s): return !s.isEmpty
        case .array, .object: return true
        }
    }

    /// `value[key]`, never throwing: object keys; array indexes and `length`; string indexes
    /// (UTF-16 code units) and `length`. Anything else, including a property of `null` or
    /// `undefined`, is `undefined` (as with optional chaining).
    static func property(of value: TemplateValue?, _ key: String) -> TemplateValue? {
        value?.property(key)
    }

    /// JavaScript's `String(key)` as a property key (`undefined` becomes "undefined").
    static func propertyKey(_ value: TemplateValue?) -> String {
        value?.javaScriptString ?? "undefined"
    }

    /// JavaScript's `ToPrimitive`: arrays and objects become their `String(…)`; others are unchanged.
    static func toPrimitive(_ value: TemplateValue?) -> TemplateValue? {
        guard let value else { return nil }
        switch value {
        case .array, .object: return .string(value.javaScriptString)
        default: return value
        }
    }

    /// JavaScript's `Number(value)`.
    static func toNumber(_ value: TemplateValue?) -> Double {
        guard let value = toPrimitive(value) else { return .nan }
        switch value {
        case .null: return 0
        case .bool(let b): return b ? 1 : 0
        case .number(let n): return n
        case .string(let s): return stringToNumber(s)
        case .array, .object: return .nan
        }
    }

    /// JavaScript's `Number(string)`: trimmed decimal (with exponent), `Infinity`, `0x`/`0o`/`0b`
    /// integers; empty or blank is 0; anything else is NaN.
    static func stringToNumber(_ text: String) -> Double {
        let scalars = Array(text.unicodeScalars)
        var start = 0, end = scalars.count
        while start < end, isJSWhitespace(scalars[start]) { start += 1 }
        while end > start, isJSWhitespace(scalars[end - 1]) { end -= 1 }
        let body = String(String.UnicodeScalarView(scalars[start..<end]))
        if body.isEmpty { return 0 }
        switch body {
        case "Infinity", "+Infinity": return .infinity
        case "-Infinity": return -.infinity
        default: break
        }
        let lower = body.lowercased()
        for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where lower.hasPrefix(prefix) {
            let digits = lower.dropFirst(2)
            guard !digits.isEmpty else { return .nan }
            var result = 0.0
            for ch in digits {
                guard let digit = ch.hexDigitValue, digit < radix else { return .nan }
                result = result * Double(radix) + Double(digit)
            }
            return result
        }
        guard isDecimalLiteral(body), let number = Double(body) else { return .nan }
        return number
    }

    /// `[+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?`
    private static func isDecimalLiteral(_ text: String) -> Bool {
        var chars = Array(text.utf8)[...]
        func digits() -> Int {
            var count = 0
            while let c = chars.first, c >= 0x30, c <= 0x39 { chars.removeFirst(); count += 1 }
            return count
        }
        if let c = chars.first, c == 0x2B || c == 0x2D { chars.removeFirst() }
        var mantissa = digits()
        if chars.first == 0x2E {
            chars.removeFirst()
            mantissa += digits()
        }
        guard mantissa > 0 else { return false }
        if let c = chars.first, c == 0x65 || c == 0x45 {
            chars.removeFirst()
            if let c = chars.first, c == 0x2B || c == 0x2D { chars.removeFirst() }
            guard digits() > 0 else { return false }
        }
        return chars.isEmpty
    }

    /// JavaScript's `WhiteSpace` and `LineTerminator` characters, which `Number()` trims.
    static func isJSWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF:
            return true
        default:
            return false
        }
    }

    /// Structural equality: same case and equal contents. Numbers compare as `Double`s (so
    /// `NaN` is unequal to itself); object keys compare regardless of order.
    static func deepEquals(_ a: TemplateValue?, _ b: TemplateValue?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case (nil, _), (_, nil): return false
        case let (left?, right?):
            switch (left, right) {
            case (.null, .null): return true
            case let (.bool(x), .bool(y)): return x == y
            case let (.number(x), .number(y)): return x == y
            case let (.string(x), .string(y)): return x == y
            case let (.array(x), .array(y)):
                if x === y { return true }
                return x.items.count == y.items.count && zip(x.items, y.items).allSatisfy { deepEquals($0, $1) }
            case let (.object(x), .object(y)):
                if x === y { return true }
                guard x.keys.count == y.keys.count else { return false }
                for (key, value) in zip(x.keys, x.values) {
                    guard let other = y[key], deepEquals(value, other) else { return false }
                }
                return true
            default: return false
            }
        }
    }

    /// `===`: the same type and value (`null !== undefined`, `NaN !== NaN`); arrays and objects by structure.
    static func strictEquals(_ a: TemplateValue?, _ b: TemplateValue?) -> Bool { deepEquals(a, b) }

    /// `==`: JavaScript's loose equality for primitives (`null == undefined`, `1 == '1'`,
    /// `true == 1`, `'' == 0`). An array or object equals only another array or object of the
    /// same case with equal structure — never a primitive (JavaScript would compare `[1] == 1`
    /// via `String([1])`; expressions deliberately do not).
    static func looseEquals(_ a: TemplateValue?, _ b: TemplateValue?) -> Bool {
        let left = a ?? .null, right = b ?? .null
        switch (left, right) {
        case (.null, .null): return true
        case (.null, _), (_, .null): return false
        case (.array, _), (.object, _), (_, .array), (_, .object): return deepEquals(left, right)
        case let (.bool(x), .bool(y)): return x == y
        case let (.number(x), .number(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.bool(x), _): return looseEquals(.number(x ? 1 : 0), right)
        case let (_, .bool(y)): return looseEquals(left, .number(y ? 1 : 0))
        case let (.number(x), .string(y)): return x == stringToNumber(y)
        case let (.string(x), .number(y)): return stringToNumber(x) == y
        }
    }

    /// JavaScript's abstract relational comparison `a < b`: two strings compare by UTF-16 code
    /// units; otherwise both sides convert with `Number()`. `nil` when a side is NaN (every
    /// comparison is then false).
    static func compare(_ a: TemplateValue?, _ b: TemplateValue?) -> ComparisonOutcome? {
        let left = toPrimitive(a), right = toPrimitive(b)
        if case .string(let x)? = left, case .string(let y)? = right {
            if x.utf16.elementsEqual(y.utf16) { return .equal }
            return x.utf16.lexicographicallyPrecedes(y.utf16) ? .less : .greater
        }
        let x = toNumber(left), y = toNumber(right)
        if x.isNaN || y.isNaN { return nil }
        return x < y ? .less : (x > y ? .greater : .equal)
    }

    /// The result of a relational comparison.
    enum ComparisonOutcome {
        case less, equal, greater
    }

    /// JavaScript's `a + b`: string concatenation if either side is (or converts to) a string,
    /// numeric addition otherwise.
    static func add(_ a: TemplateValue?, _ b: TemplateValue?) -> TemplateValue {
        let left = toPrimitive(a), right = toPrimitive(b)
        var isString = false
        if case .string? = left { isString = true }
        if case .string? = right { isString = true }
        if isString {
            return .string((left?.javaScriptString ?? "undefined") + (right?.javaScriptString ?? "undefined"))
        }
        return .number(toNumber(left) + toNumber(right))
    }
}
