/// Bounds that keep parsing and evaluation of untrusted expressions finite and shallow.
enum ExpressionLimits {
    /// The longest accepted expression source, in characters.
    static let maximumSourceLength = 10_000
    /// The deepest accepted nesting of parentheses, brackets, unary operators and ternaries.
    static let maximumDepth = 64
}
