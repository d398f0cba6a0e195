/// Splits expression source into tokens (numbers, strings, names, operators).
struct ExpressionLexer {
    private let characters: [Character]
    private var position = 0

    /// Operators, longest first so that `===` wins over `==` and `=`.
    private static let punctuators: [String] = [
        "===", "!==",
        "==", "!=", "<=", ">=", "&&", "||", "??", "?.",
        "!", "<", ">", "+", "-", "*", "/", "%", "?", ":", "(", ")", "[", "]", ".", "=", "&", "|", ",",
        "{", "}",
    ]

    /// Lexes `characters` (the expression source as an array of characters).
    init(_ characters: [Character]) { self.characters = characters }

    /// All tokens, ending with a `.end` token.
    mutating func tokenize() throws(ExpressionError) -> [ExpressionToken] {
        var tokens: [ExpressionToken] = []
        while true {
            let token = try next()
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    private mutating func next() throws(ExpressionError) -> ExpressionToken {
        while position < characters.count, characters[position].isWhitespace { position += 1 }
        let start = position
        guard position < characters.count else { return ExpressionToken(kind: .end, offset: start, endOffset: start) }
        let c = characters[position]
        if c == "'" || c == "\"" { return try string(quote: c) }
        if Self.isDigit(c) || (c == "." && position + 1 < characters.count && Self.isDigit(characters[position + 1])) {
            return try number()
        }
        if Self.isIdentifierStart(c) {
            while position < characters.count, Self.isIdentifierPart(characters[position]) { position += 1 }
            return ExpressionToken(kind: .identifier(String(characters[start..<position])), offset: start, endOffset: position)
        }
        for punctuator in Self.punctuators where matches(punctuator) {
            // `a?.5:1` is a ternary, not optional chaining (as in JavaScript).
            if punctuator == "?.", position + 2 < characters.count, Self.isDigit(characters[position + 2]) { continue }
            position += punctuator.count
            return ExpressionToken(kind: .punctuator(punctuator), offset: start, endOffset: position)
        }
        throw ExpressionError(offset: start, message: "unexpected character '\(c)': expected a value or an operator")
    }

    private func matches(_ text: String) -> Bool {
        var i = position
        for ch in text {
            guard i < characters.count, characters[i] == ch else { return false }
            i += 1
        }
        return true
    }

    private mutating func number() throws(ExpressionError) -> ExpressionToken {
        let start = position
        while position < characters.count, Self.isDigit(characters[position]) { position += 1 }
        if position < characters.count, characters[position] == ".",
           position + 1 < characters.count, Self.isDigit(characters[position + 1]) {
            position += 1
            while position < characters.count, Self.isDigit(characters[position]) { position += 1 }
        }
        if position < characters.count, characters[position] == "e" || characters[position] == "E" {
            var look = position + 1
            if look < characters.count, characters[look] == "+" || characters[look] == "-" { look += 1 }
            if look < characters.count, Self.isDigit(characters[look]) {
                position = look
                while position < characters.count, Self.isDigit(characters[position]) { position += 1 }
            }
        }
        if position < characters.count, Self.isIdentifierPart(characters[position]) || characters[position] == "." {
            let text = String(characters[start...position])
            throw ExpressionError(offset: position, message: "invalid number '\(text)': a name or '.' cannot follow a number directly")
        }
        let text = String(characters[start..<position])
        guard let value = Double(text) else {
            throw ExpressionError(offset: start, message: "invalid number '\(text)'")
        }
        return ExpressionToken(kind: .number(value), offset: start, endOffset: position)
    }

    private mutating func string(quote: Character) throws(ExpressionError) -> ExpressionToken {
        let start = position
        position += 1
        var value = ""
        while position < characters.count {
            let c = characters[position]
            if c == quote {
                position += 1
                return ExpressionToken(kind: .string(value), offset: start, endOffset: position)
            }
            if c == "\\" {
                guard position + 1 < characters.count else { break }
                let escaped = characters[position + 1]
                position += 2
                switch escaped {
                case "n": value.append("\n")
                case "t": value.append("\t")
                case "r": value.append("\r")
                case "b": value.append("\u{08}")
                case "f": value.append("\u{0C}")
                case "v": value.append("\u{0B}")
                case "0": value.append("\u{00}")
                case "u": value.append(try unicodeEscape(escapeOffset: position - 2))
                default: value.append(escaped) // \\ \' \" and any other character stand for themselves
                }
                continue
            }
            value.append(c)
            position += 1
        }
        throw ExpressionError(offset: start, message: "unterminated string literal: expected a closing \(quote)")
    }

    /// `\uXXXX` or `\u{X…}`; `position` is just after the `u`.
    private mutating func unicodeEscape(escapeOffset: Int) throws(ExpressionError) -> Character {
        var digits = ""
        if position < characters.count, characters[position] == "{" {
            var i = position + 1
            while i < characters.count, characters[i] != "}", digits.count <= 6 {
                digits.append(characters[i])
                i += 1
            }
            guard i < characters.count, characters[i] == "}" else {
                throw ExpressionError(offset: escapeOffset, message: "invalid escape: expected '}' to end '\\u{…}'")
            }
            position = i + 1
        } else {
            guard position + 4 <= characters.count else {
                throw ExpressionError(offset: escapeOffset, message: "invalid escape: expected four hex digits after '\\u'")
            }
            digits = String(characters[position..<position + 4])
            position += 4
        }
        guard !digits.isEmpty, digits.allSatisfy(\.isHexDigit), let code = UInt32(digits, radix: 16),
              let scalar = Unicode.Scalar(code) else {
            throw ExpressionError(offset: escapeOffset, message: "invalid escape '\\u\(digits)': expected hex digits naming a Unicode scalar")
        }
        return Character(scalar)
    }

    static func isDigit(_ c: Character) -> Bool { c >= "0" && c <= "9" && c.isASCII }

    static func isIdentifierStart(_ c: Character) -> Bool {
        c == "_" || c == "$" || (c.isLetter && !c.isNumber)
    }

    static func isIdentifierPart(_ c: Character) -> Bool {
        isIdentifierStart(c) || c.isNumber
    }
}
