import LoopsealValue
/// Builds the parse tree from tokens following handlebars.js' grammar (handlebars.yy) and its
/// helpers (`prepareBlock`, `preparePath`), then applies ``WhitespaceControl``.
struct Parser {
    private let tokens: [Lexer.Token]
    private var index = 0
    private let name: String
    /// How many blocks, `else if` branches and sub-expressions enclose the current token.
    private var depth = 0

    /// The deepest nesting of blocks, `else if` chains and sub-expressions a template may use.
    /// Parsing, compiling and rendering recurse once per level; without a bound, a template of
    /// a few kilobytes could exhaust the stack and crash the process instead of failing.
    static let maxNesting = 100

    /// Where the template has a NUL byte, if it does.
    private let nulByte: SourceLocation?

    init(source: String, name: String) {
        var lexer = Lexer(source)
        tokens = lexer.tokenize()
        self.name = name
        nulByte = source.utf8.firstIndex(of: 0).map { lexer.location(of: source.utf8.distance(from: source.utf8.startIndex, to: $0)) }
    }

    /// Parses a whole template.
    mutating func parse() throws(TemplateError) -> ProgramNode {
        if let nulByte {
            throw error("a NUL byte in the template: a template is text (handlebars.js refuses it too); is this a binary file?", at: nulByte)
        }
        let program = try parseProgram()
        guard peek.kind == .eof else { throw unexpected(peek) }
        WhitespaceControl().apply(root: program)
        return program
    }

    // MARK: Tokens

    private var peek: Lexer.Token { tokens[min(index, tokens.count - 1)] }
    private func peek(_ offset: Int) -> Lexer.Token { tokens[min(index + offset, tokens.count - 1)] }

    private mutating func advance() -> Lexer.Token {
        let token = peek
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    private func error(_ message: String, at location: SourceLocation) -> TemplateError {
        TemplateError(kind: .parse, template: name, line: location.line, column: location.column, message: message)
    }

    private func unexpected(_ token: Lexer.Token, expected: String? = nil) -> TemplateError {
        let found: String
        switch token.kind {
        case .eof: found = "end of template"
        case .inverse, .openInverseChain: found = "'{{else}}' outside a block"
        case .openEndBlock: found = "a closing tag with no open block"
        case .invalid: found = "'\(token.text.prefix(20))'"
        default: found = "'\(token.text.prefix(30))'"
        }
        return error("unexpected \(found)" + (expected.map { ", expected \($0)" } ?? ""), at: token.location)
    }

    /// Enters one level of nesting; the caller leaves it with `defer { depth -= 1 }`.
    private mutating func enter(_ token: Lexer.Token) throws(TemplateError) {
        guard depth < Self.maxNesting else {
            throw error("blocks, 'else if' branches and sub-expressions nested more than \(Self.maxNesting) deep", at: token.location)
        }
        depth += 1
    }

    private mutating func expect(_ kind: Lexer.Kind, _ description: String) throws(TemplateError) -> Lexer.Token {
        guard peek.kind == kind else { throw unexpected(peek, expected: description) }
        return advance()
    }

    private static func stripFlags(_ open: String, _ close: String) -> StripFlags {
        let o = Array(open.utf8), c = Array(close.utf8)
        return StripFlags(open: o.count > 2 && o[2] == UInt8(ascii: "~"),
                          close: c.count >= 3 && c[c.count - 3] == UInt8(ascii: "~"))
    }

    // MARK: Statements

    private mutating func parseProgram() throws(TemplateError) -> ProgramNode {
        var body: [StatementNode] = []
        while true {
            let token = peek
            switch token.kind {
            case .content:
                _ = advance()
                body.append(.content(ContentNode(token.text)))
            case .comment:
                _ = advance()
                body.append(.comment(Self.stripFlags(token.text, token.text)))
            case .open, .openUnescaped:
                body.append(try parseMustache())
            case .openBlock, .openInverse:
                body.append(.block(try parseBlock()))
            case .openPartial:
                body.append(.partial(try parsePartial()))
            case .openPartialBlock:
                body.append(.block(try parsePartialBlock()))
            case .openRawBlock:
                body.append(.block(try parseRawBlock()))
            default:
                return ProgramNode(body)
            }
        }
    }

    private mutating func parseMustache() throws(TemplateError) -> StatementNode {
        let open = advance()
        if open.text.utf8.contains(UInt8(ascii: "*")) { throw error("decorators ({{* …}}) are not supported", at: open.location) }
        let sexpr = try parseCall(location: open.location)
        let unescaped = open.kind == .openUnescaped
        let close = unescaped ? try expect(.closeUnescaped, "'}}}'") : try expect(.close, "'}}'")
        let flag = Array(open.text.utf8).dropFirst(2).first { $0 != UInt8(ascii: "~") }
        let escaped = !(unescaped || flag == UInt8(ascii: "&"))
        return .mustache(sexpr, escaped: escaped, strip: Self.stripFlags(open.text, close.text))
    }

    private struct OpenBlock {
        var sexpr: SubExpression
        var blockParams: [String]?
        var strip: StripFlags
    }

    private struct InverseAndProgram {
        var strip: StripFlags
        var program: ProgramNode
        var chain: Bool
    }

    private mutating func parseOpen(_ open: Lexer.Token) throws(TemplateError) -> OpenBlock {
        let sexpr = try parseCall(location: open.location)
        var blockParams: [String]?
        if peek.kind == .openBlockParams {
            _ = advance()
            var names: [String] = []
            while peek.kind == .id { names.append(Self.id(advance().text)) }
            guard !names.isEmpty else { throw unexpected(peek, expected: "a block parameter name") }
            _ = try expect(.closeBlockParams, "'|'")
            blockParams = names
        }
        let close = try expect(.close, "'}}'")
        return OpenBlock(sexpr: sexpr, blockParams: blockParams, strip: Self.stripFlags(open.text, close.text))
    }

    private mutating func parseBlock() throws(TemplateError) -> BlockNode {
        let openToken = advance()
        try enter(openToken)
        defer { depth -= 1 }
        let inverted = openToken.kind == .openInverse
        let open = try parseOpen(openToken)
        let decorator = openToken.text.utf8.contains(UInt8(ascii: "*"))
        let program = try parseProgram()
        var inverse: InverseAndProgram?
        if inverted {
            if peek.kind == .inverse { inverse = try parseInverseAndProgram() }
        } else {
            inverse = try parseInverseChain()
        }
        let endToken = peek
        guard endToken.kind == .openEndBlock else {
            throw error("'\(Self.describe(open.sexpr))' is not closed: expected '{{/\(Self.describe(open.sexpr))}}' before \(endToken.kind == .eof ? "the end of the template" : "'\(endToken.text.prefix(20))'")", at: openToken.location)
        }
        _ = advance()
        let closePath = try parseHelperName()
        let closeToken = try expect(.close, "'}}'")
        let closeOriginal = Self.original(of: closePath)
        guard JSString.same(closeOriginal, Self.original(of: open.sexpr.path)) else {
            throw error("'\(Self.original(of: open.sexpr.path))' doesn't match '\(closeOriginal)'", at: endToken.location)
        }
        let block = prepareBlock(open, program: program, inverse: inverse, closeStrip: Self.stripFlags(endToken.text, closeToken.text), inverted: inverted)
        if decorator { block.kind = .inline(name: try inlinePartialName(open, hasInverse: inverse != nil, at: openToken.location)) }
        return block
    }

    /// The name of `{{#*inline "name"}}`, the one decorator handlebars has built in; any other is refused.
    private func inlinePartialName(_ open: OpenBlock, hasInverse: Bool, at location: SourceLocation) throws(TemplateError) -> String {
        let decorator = Self.original(of: open.sexpr.path)
        guard decorator == "inline" else {
            throw error("unknown decorator '\(decorator)': the only decorator is 'inline' ({{#*inline \"name\"}}…{{/inline}})", at: location)
        }
        guard open.sexpr.params.count == 1, open.sexpr.hash.isEmpty, open.blockParams == nil, !hasInverse,
              case .literal(let value?, _, _) = open.sexpr.params[0], case .string(let name) = value else {
            throw error("an inline partial takes one quoted name and no {{else}}: {{#*inline \"name\"}}…{{/inline}}", at: location)
        }
        return name
    }

    /// `{{#> name context key=value}}default{{/name}}`: the partial, with the block as its
    /// `@partial-block` (and rendered instead when there is no partial `name`).
    private mutating func parsePartialBlock() throws(TemplateError) -> BlockNode {
        let openToken = advance()
        try enter(openToken)
        defer { depth -= 1 }
        let name = try parsePartialName(open: openToken)
        let (params, hash) = try parseParamsAndHash()
        let close = try expect(.close, "'}}'")
        if params.count > 1 {
            throw error("Unsupported number of partial arguments: \(params.count)", at: openToken.location)
        }
        let program = try parseProgram()
        let endToken = peek
        guard endToken.kind == .openEndBlock else {
            throw error("'\(name)' is not closed: expected '{{/\(name)}}' before \(endToken.kind == .eof ? "the end of the template" : "'\(endToken.text.prefix(20))'")", at: openToken.location)
        }
        _ = advance()
        let closeName = Self.original(of: try parseHelperName())
        let closeToken = try expect(.close, "'}}'")
        guard JSString.same(closeName, name) else { throw error("'\(name)' doesn't match '\(closeName)'", at: endToken.location) }
        let sexpr = SubExpression(path: .literal(.string(name), original: name, location: openToken.location), params: params, hash: hash, location: openToken.location)
        let block = BlockNode(sexpr: sexpr, program: program, inverse: nil, openStrip: Self.stripFlags(openToken.text, close.text),
                              inverseStrip: nil, closeStrip: Self.stripFlags(endToken.text, closeToken.text))
        block.kind = .partial(name: name)
        return block
    }

    /// `{{{{helper args}}}}text{{{{/helper}}}}`: a block whose text is never parsed (and may be empty).
    private mutating func parseRawBlock() throws(TemplateError) -> BlockNode {
        let openToken = advance()
        try enter(openToken)
        defer { depth -= 1 }
        let sexpr = try parseCall(location: openToken.location)
        _ = try expect(.closeRawBlock, "'}}}}'")
        var contents: [StatementNode] = []
        while peek.kind == .content { contents.append(.content(ContentNode(advance().text))) }
        let name = Self.original(of: sexpr.path)
        let end = peek
        guard end.kind == .endRawBlock else {
            throw error("the raw block '\(name)' is not closed: expected '{{{{/\(name)}}}}'", at: openToken.location)
        }
        _ = advance()
        guard JSString.same(end.text, name) else { throw error("'\(name)' doesn't match '\(end.text)'", at: end.location) }
        return BlockNode(sexpr: sexpr, program: ProgramNode(contents), inverse: nil, openStrip: StripFlags(),
                         inverseStrip: StripFlags(), closeStrip: StripFlags())
    }

    private mutating func parseInverseAndProgram() throws(TemplateError) -> InverseAndProgram {
        let token = advance()
        return InverseAndProgram(strip: Self.stripFlags(token.text, token.text), program: try parseProgram(), chain: false)
    }

    private mutating func parseInverseChain() throws(TemplateError) -> InverseAndProgram? {
        switch peek.kind {
        case .inverse:
            return try parseInverseAndProgram()
        case .openInverseChain:
            let openToken = advance()
            try enter(openToken)
            defer { depth -= 1 }
            let open = try parseOpen(openToken)
            let program = try parseProgram()
            let nested = try parseInverseChain()
            let block = prepareBlock(open, program: program, inverse: nested, closeStrip: nested?.strip, inverted: false)
            let chained = ProgramNode([.block(block)])
            chained.chained = true
            return InverseAndProgram(strip: open.strip, program: chained, chain: true)
        default:
            return nil
        }
    }

    private func prepareBlock(_ open: OpenBlock, program: ProgramNode, inverse: InverseAndProgram?, closeStrip: StripFlags?, inverted: Bool) -> BlockNode {
        program.blockParams = open.blockParams
        var inverseProgram: ProgramNode?
        var inverseStrip: StripFlags?
        if let inverse {
            if inverse.chain, case .block(let first)? = inverse.program.body.first { first.closeStrip = closeStrip }
            inverseStrip = inverse.strip
            inverseProgram = inverse.program
        }
        let (main, other) = inverted ? (inverseProgram, Optional(program)) : (Optional(program), inverseProgram)
        return BlockNode(sexpr: open.sexpr, program: main, inverse: other, openStrip: open.strip,
                         inverseStrip: inverseStrip, closeStrip: closeStrip)
    }

    private mutating func parsePartial() throws(TemplateError) -> PartialNode {
        let open = advance()
        let partialName = try parsePartialName(open: open)
        let (params, hash) = try parseParamsAndHash()
        let close = try expect(.close, "'}}'")
        if params.count > 1 {
            throw error("Unsupported number of partial arguments: \(params.count)", at: open.location)
        }
        return PartialNode(name: partialName, params: params, hash: hash, strip: Self.stripFlags(open.text, close.text), location: open.location)
    }

    /// A partial's name: a path or literal as written (`@partial-block` included).
    private mutating func parsePartialName(open: Lexer.Token) throws(TemplateError) -> String {
        if peek.kind == .openSexpr {
            throw error("dynamic partial names ({{> (…)}}) are not supported", at: peek.location)
        }
        return Self.original(of: try parseHelperName())
    }

    // MARK: Expressions

    /// `helperName param* hash?`, with handlebars' literal-as-path rule for the callee.
    private mutating func parseCall(location: SourceLocation) throws(TemplateError) -> SubExpression {
        let callee = try parseHelperName()
        let (params, hash) = try parseParamsAndHash()
        return SubExpression(path: callee, params: params, hash: hash, location: location)
    }

    private mutating func parseParamsAndHash() throws(TemplateError) -> ([Expression], [(String, Expression)]) {
        var params: [Expression] = []
        var hash: [(String, Expression)] = []
        while true {
            if peek.kind == .id && peek(1).kind == .equals {
                let key = advance()
                _ = advance()
                hash.append((key.text, try parseParam()))
                continue
            }
            guard hash.isEmpty, Self.startsParam(peek.kind) else { break }
            params.append(try parseParam())
        }
        return (params, hash)
    }

    private static func startsParam(_ kind: Lexer.Kind) -> Bool {
        switch kind {
        case .id, .data, .string, .number, .boolean, .undefined, .null, .openSexpr: return true
        default: return false
        }
    }

    private mutating func parseParam() throws(TemplateError) -> Expression {
        guard peek.kind == .openSexpr else { return try parseHelperName() }
        let open = advance()
        try enter(open)
        defer { depth -= 1 }
        let sexpr = try parseCall(location: open.location)
        _ = try expect(.closeSexpr, "')'")
        return .subExpression(sexpr)
    }

    private mutating func parseHelperName() throws(TemplateError) -> Expression {
        let token = peek
        switch token.kind {
        case .id:
            return .path(try parsePath(data: false, location: token.location))
        case .data:
            _ = advance()
            guard peek.kind == .id else { throw unexpected(peek, expected: "a name after '@'") }
            return .path(try parsePath(data: true, location: token.location))
        case .string:
            _ = advance()
            return .literal(.string(token.text), original: token.text, location: token.location)
        case .number:
            _ = advance()
            let value = Double(token.text) ?? 0
            return .literal(.number(value), original: JSNumber.format(value), location: token.location)
        case .boolean:
            _ = advance()
            return .literal(.bool(token.text == "true"), original: token.text, location: token.location)
        case .undefined:
            _ = advance()
            return .literal(nil, original: "undefined", location: token.location)
        case .null:
            _ = advance()
            return .literal(.null, original: "null", location: token.location)
        default:
            throw unexpected(token, expected: "a name, path or literal")
        }
    }

    /// `ID (SEP ID)*` through handlebars' `preparePath`.
    private mutating func parsePath(data: Bool, location: SourceLocation) throws(TemplateError) -> PathExpression {
        var segments: [(part: String, original: String, separator: String)] = []
        let first = advance()
        segments.append((Self.id(first.text), first.text, ""))
        while peek.kind == .sep {
            let separator = advance()
            guard peek.kind == .id else { throw unexpected(peek, expected: "a name after '\(separator.text)'") }
            let part = advance()
            segments.append((Self.id(part.text), part.text, separator.text))
        }
        var original = data ? "@" : ""
        var dig: [String] = []
        var depth = 0
        for segment in segments {
            let isLiteral = segment.original != segment.part
            original += segment.separator + segment.part
            if !isLiteral && (segment.part == ".." || segment.part == "." || segment.part == "this") {
                if !dig.isEmpty { throw error("Invalid path: \(original)", at: location) }
                if segment.part == ".." { depth += 1 }
            } else {
                dig.append(segment.part)
            }
        }
        // handlebars' compiler pushes the context itself for a path whose first name is empty
        // (`{{[]}}`, `{{this.[]}}`, `{{../[].x}}`), whatever follows it.
        if !data, dig.first == "" { dig = [] }
        return PathExpression(data: data, depth: depth, parts: dig, original: original, location: location)
    }

    private static func id(_ token: String) -> String {
        if token.count >= 2 && token.hasPrefix("[") && token.hasSuffix("]") { return String(token.dropFirst().dropLast()) }
        return token
    }

    private static func original(of expression: Expression) -> String {
        switch expression {
        case .path(let path): return path.original
        case .literal(_, let original, _): return original
        case .subExpression: return "(…)"
        }
    }

    private static func describe(_ sexpr: SubExpression) -> String { original(of: sexpr.path) }
}
