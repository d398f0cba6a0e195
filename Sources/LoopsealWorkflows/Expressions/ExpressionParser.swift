import LoopsealTemplates

/// A recursive-descent parser with JavaScript's operator precedence, lowest first:
/// `?:`, `||` / `??`, `&&`, `== != === !==`, `< <= > >=`, `+ -`, `* / %`, prefix `! - +`,
/// then property access (`.`, `?.`, `[ ]`). Function calls are rejected.
struct ExpressionParser {
    private let characters: [Character]
    private let tokens: [ExpressionToken]
    private var index = 0
    private var depth = 0

    /// Lexes `source`; throws on a lexical error or an over-long source.
    init(_ source: String) throws(ExpressionError) {
        let characters = Array(source)
        guard characters.count <= ExpressionLimits.maximumSourceLength else {
            throw ExpressionError(
                offset: ExpressionLimits.maximumSourceLength,
                message: "expression is too long: \(characters.count) characters, the limit is \(ExpressionLimits.maximumSourceLength)")
        }
        self.characters = characters
        var lexer = ExpressionLexer(characters)
        tokens = try lexer.tokenize()
    }

    /// Parses the whole source as one expression.
    mutating func parse() throws(ExpressionError) -> ExpressionNode {
        if current.kind == .end {
            throw ExpressionError(offset: 0, message: "empty expression: expected a value such as a path, a literal or '('")
        }
        let node = try parseConditional()
        guard current.kind == .end else {
            if current.isPunctuator("(") { throw callError() }
            if current.isPunctuator("=") {
                throw ExpressionError(offset: current.offset, message: "assignment is not supported: use '==' or '===' to compare")
            }
            throw ExpressionError(
                offset: current.offset,
                message: "unexpected \(describe(current)) after '\(consumedText())': expected an operator or the end of the expression")
        }
        return node
    }

    // MARK: Token helpers

    private var current: ExpressionToken { tokens[index] }

    private mutating func advance() -> ExpressionToken {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    private mutating func take(_ punctuator: String) -> Bool {
        guard current.isPunctuator(punctuator) else { return false }
        _ = advance()
        return true
    }

    /// The source up to the end of the last consumed token, shortened to its last 40 characters.
    private func consumedText() -> String {
        let end = index > 0 ? tokens[index - 1].endOffset : 0
        let text = String(characters[0..<end]).trimmingExpressionWhitespace()
        return text.count > 40 ? "…" + String(text.suffix(40)) : text
    }

    private func describe(_ token: ExpressionToken) -> String {
        if token.kind == .end { return "end of expression" }
        let text = String(characters[token.offset..<token.endOffset])
        return "'\(text.count > 40 ? String(text.prefix(40)) + "…" : text)'"
    }

    private func callError() -> ExpressionError {
        ExpressionError(offset: current.offset, message: "function calls are not supported: unexpected '(' after '\(consumedText())'")
    }

    private mutating func enter(at offset: Int) throws(ExpressionError) {
        depth += 1
        if depth > ExpressionLimits.maximumDepth {
            throw ExpressionError(offset: offset, message: "expression is nested too deeply: more than \(ExpressionLimits.maximumDepth) levels")
        }
    }

    private mutating func leave() { depth -= 1 }

    private mutating func expect(_ punctuator: String) throws(ExpressionError) {
        guard take(punctuator) else {
            if current.isPunctuator("=") {
                throw ExpressionError(offset: current.offset, message: "assignment is not supported: use '==' or '===' to compare")
            }
            let found = current.kind == .end ? "" : " but found \(describe(current))"
            throw ExpressionError(offset: current.offset, message: "expected '\(punctuator)' after '\(consumedText())'\(found)")
        }
    }

    // MARK: Grammar

    private mutating func parseConditional() throws(ExpressionError) -> ExpressionNode {
        let condition = try parseShortCircuit()
        guard current.isPunctuator("?") else { return condition }
        let questionOffset = advance().offset
        try enter(at: questionOffset)
        let then = try parseConditional()
        try expect(":")
        let otherwise = try parseConditional()
        leave()
        return .conditional(condition, then, otherwise)
    }

    /// `||` chains, or `??` chains (which JavaScript forbids mixing with `&&`/`||` unparenthesized).
    private mutating func parseShortCircuit() throws(ExpressionError) -> ExpressionNode {
        let (first, usedLogical) = try parseOr()
        guard current.isPunctuator("??") else { return first }
        if usedLogical { throw mixError() }
        var operands = [first]
        while take("??") {
            operands.append(try parseEquality())
            if current.isPunctuator("&&") || current.isPunctuator("||") { throw mixError() }
        }
        return .logical(.nullish, operands)
    }

    private func mixError() -> ExpressionError {
        ExpressionError(offset: current.offset, message: "cannot mix '??' with '&&' or '||' without parentheses")
    }

    /// The `||` chain, and whether an unparenthesized `&&` or `||` was used.
    private mutating func parseOr() throws(ExpressionError) -> (ExpressionNode, Bool) {
        var (first, usedLogical) = try parseAnd()
        var operands = [first]
        while take("||") {
            operands.append(try parseAnd().0)
            usedLogical = true
        }
        first = operands.count == 1 ? operands[0] : .logical(.or, operands)
        return (first, usedLogical)
    }

    /// The `&&` chain, and whether an `&&` was used.
    private mutating func parseAnd() throws(ExpressionError) -> (ExpressionNode, Bool) {
        var operands = [try parseEquality()]
        while take("&&") { operands.append(try parseEquality()) }
        return (operands.count == 1 ? operands[0] : .logical(.and, operands), operands.count > 1)
    }

    private mutating func parseEquality() throws(ExpressionError) -> ExpressionNode {
        try parseBinary([.looseEqual, .looseNotEqual, .strictEqual, .strictNotEqual]) { (p: inout Self) throws(ExpressionError) in
            try p.parseRelational()
        }
    }

    private mutating func parseRelational() throws(ExpressionError) -> ExpressionNode {
        try parseBinary([.less, .lessOrEqual, .greater, .greaterOrEqual]) { (p: inout Self) throws(ExpressionError) in
            try p.parseAdditive()
        }
    }

    private mutating func parseAdditive() throws(ExpressionError) -> ExpressionNode {
        try parseBinary([.add, .subtract]) { (p: inout Self) throws(ExpressionError) in try p.parseMultiplicative() }
    }

    private mutating func parseMultiplicative() throws(ExpressionError) -> ExpressionNode {
        try parseBinary([.multiply, .divide, .remainder]) { (p: inout Self) throws(ExpressionError) in try p.parseUnary() }
    }

    private mutating func parseBinary(
        _ operators: [ExpressionBinaryOperator],
        operand: (inout Self) throws(ExpressionError) -> ExpressionNode
    ) throws(ExpressionError) -> ExpressionNode {
        let first = try operand(&self)
        var rest: [(ExpressionBinaryOperator, ExpressionNode)] = []
        while case .punctuator(let p) = current.kind, let op = operators.first(where: { $0.rawValue == p }) {
            _ = advance()
            rest.append((op, try operand(&self)))
        }
        return rest.isEmpty ? first : .binary(first: first, rest: rest)
    }

    private mutating func parseUnary() throws(ExpressionError) -> ExpressionNode {
        if case .punctuator(let p) = current.kind, let op = ExpressionUnaryOperator(rawValue: p) {
            let offset = advance().offset
            try enter(at: offset)
            let operand = try parseUnary()
            leave()
            return .unary(op, operand)
        }
        return try parsePostfix()
    }

    private mutating func parsePostfix() throws(ExpressionError) -> ExpressionNode {
        let base = try parsePrimary()
        var accessors: [ExpressionAccessor] = []
        while true {
            if current.isPunctuator("(") { throw callError() }
            if take(".") {
                accessors.append(.name(try propertyName(after: ".")))
            } else if take("?.") {
                if current.isPunctuator("[") {
                    accessors.append(try bracket())
                } else {
                    if current.isPunctuator("(") { throw callError() }
                    accessors.append(.name(try propertyName(after: "?.")))
                }
            } else if current.isPunctuator("[") {
                accessors.append(try bracket())
            } else {
                break
            }
        }
        return accessors.isEmpty ? base : .access(base: base, accessors: accessors)
    }

    private mutating func propertyName(after dot: String) throws(ExpressionError) -> String {
        guard case .identifier(let name) = current.kind else {
            let found = current.kind == .end ? "" : " but found \(describe(current))"
            throw ExpressionError(offset: current.offset, message: "expected a property name after '\(consumedText())'\(found)")
        }
        _ = advance()
        return name
    }

    /// `[ expression ]`; a literal key becomes a plain name so `paths` can see through it.
    private mutating func bracket() throws(ExpressionError) -> ExpressionAccessor {
        let open = advance()
        try enter(at: open.offset)
        let key = try parseConditional()
        try expect("]")
        leave()
        if case .literal(let value) = key { return .name(value?.javaScriptString ?? "undefined") }
        return .computed(key)
    }

    private mutating func parsePrimary() throws(ExpressionError) -> ExpressionNode {
        let token = current
        switch token.kind {
        case .number(let value):
            _ = advance()
            return .literal(.number(value))
        case .string(let value):
            _ = advance()
            return .literal(.string(value))
        case .identifier(let name):
            _ = advance()
            switch name {
            case "true": return .literal(.bool(true))
            case "false": return .literal(.bool(false))
            case "null": return .literal(.null)
            case "undefined": return .literal(nil)
            default: return .identifier(name)
            }
        case .punctuator("("):
            _ = advance()
            try enter(at: token.offset)
            let inner = try parseConditional()
            try expect(")")
            leave()
            return inner
        case .end:
            throw ExpressionError(
                offset: token.offset,
                message: "expected a value (a path, a literal or '(') after '\(consumedText())' but reached the end of the expression")
        case .punctuator(let p):
            let hint: String
            switch p {
            case "[": hint = " (array literals are not supported)"
            case "{": hint = " (object literals are not supported)"
            case "=": hint = " (assignment is not supported)"
            default: hint = ""
            }
            let after = index > 0 ? " after '\(consumedText())'" : ""
            throw ExpressionError(
                offset: token.offset,
                message: "unexpected '\(p)'\(after): expected a value (a path, a literal or '(')\(hint)")
        }
    }
}

extension String {
    /// The string without leading and trailing whitespace.
    func trimmingExpressionWhitespace() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(self[first...last])
    }
}
