/// JavaScript's `\s`: what `Number(text)` trims and what handlebars' whitespace control strips.
package enum JSWhitespace {
    /// True for the scalars `\s` matches in JavaScript.
    package static func contains(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x20, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF: return true
        default: return false
        }
    }
}
