/// One lexical token of an expression.
struct ExpressionToken: Sendable, Equatable {
    /// What the token is.
    enum Kind: Sendable, Equatable {
        /// A numeric literal.
        case number(Double)
        /// A quoted string literal, escapes resolved.
        case string(String)
        /// A name: a path segment or one of the keywords `true`, `false`, `null`, `undefined`.
        case identifier(String)
        /// An operator or punctuation, e.g. `===`, `?.`, `(`.
        case punctuator(String)
        /// The end of the source.
        case end
    }

    /// What the token is.
    var kind: Kind
    /// 0-based character offset of the token's first character.
    var offset: Int
    /// Offset just past the token's last character.
    var endOffset: Int

    /// True if this is the punctuator `text`.
    func isPunctuator(_ text: String) -> Bool {
        if case .punctuator(let p) = kind { return p == text }
        return false
    }
}
