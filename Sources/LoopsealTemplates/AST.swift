import LoopsealValue
/// The parse tree, shaped like handlebars.js' so its whitespace rules port one to one.
/// Nodes are mutable only while the parser and ``WhitespaceControl`` run; ``CompiledTemplate``
/// is built from them and is what renders.

final class ContentNode {
    var value: String
    let original: String
    var leftStripped = false
    var rightStripped = false
    init(_ text: String) { value = text; original = text }
}

struct PathExpression: Sendable {
    var data: Bool
    var depth: Int
    var parts: [String]
    var original: String
    var location: SourceLocation

    /// handlebars' `scopedId` (`/^\.|this\b/`): `./x`, `../x`, `this.x` are never helpers or block params.
    var isScoped: Bool {
        let utf8 = Array(original.utf8)
        if utf8.first == UInt8(ascii: ".") { return true }
        let this: [UInt8] = Array("this".utf8)
        var i = 0
        while i + 4 <= utf8.count {
            if utf8[i] == this[0] && utf8[i + 1] == this[1] && utf8[i + 2] == this[2] && utf8[i + 3] == this[3] {
                guard i + 4 < utf8.count, Self.isWordByte(utf8[i + 4]) else { return true }
            }
            i += 1
        }
        return false
    }

    /// JavaScript's `\w`: ASCII letters, digits and `_`.
    private static func isWordByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"): return true
        default: return false
        }
    }

    /// handlebars' `simpleId`: one part, not scoped, no `../`.
    var isSimple: Bool { parts.count == 1 && !isScoped && depth == 0 }
}

indirect enum Expression: Sendable {
    case path(PathExpression)
    /// A literal; nil is `undefined`.
    case literal(TemplateValue?, original: String, location: SourceLocation)
    case subExpression(SubExpression)

    var location: SourceLocation {
        switch self {
        case .path(let p): return p.location
        case .literal(_, _, let l): return l
        case .subExpression(let s): return s.location
        }
    }
}

struct SubExpression: Sendable {
    var path: Expression
    var params: [Expression]
    var hash: [(String, Expression)]
    var location: SourceLocation
}

struct StripFlags {
    var open = false
    var close = false
}

final class ProgramNode {
    var body: [StatementNode]
    var chained = false
    var blockParams: [String]?
    init(_ body: [StatementNode]) { self.body = body }
}

/// What a block statement is: a helper or section call, a partial block (`{{#> name}}…{{/name}}`)
/// or an inline partial definition (`{{#*inline "name"}}…{{/inline}}`).
enum BlockKind {
    case call
    /// The partial's name; its context and hash are the block's `sexpr` arguments.
    case partial(name: String)
    case inline(name: String)
}

final class BlockNode {
    var kind: BlockKind = .call
    var sexpr: SubExpression
    var program: ProgramNode?
    var inverse: ProgramNode?
    var openStrip: StripFlags
    var inverseStrip: StripFlags?
    var closeStrip: StripFlags?
    init(sexpr: SubExpression, program: ProgramNode?, inverse: ProgramNode?, openStrip: StripFlags,
         inverseStrip: StripFlags?, closeStrip: StripFlags?) {
        self.sexpr = sexpr
        self.program = program
        self.inverse = inverse
        self.openStrip = openStrip
        self.inverseStrip = inverseStrip
        self.closeStrip = closeStrip
    }
}

final class PartialNode {
    let name: String
    let params: [Expression]
    let hash: [(String, Expression)]
    let strip: StripFlags
    let location: SourceLocation
    var indent = ""
    init(name: String, params: [Expression], hash: [(String, Expression)], strip: StripFlags, location: SourceLocation) {
        self.name = name
        self.params = params
        self.hash = hash
        self.strip = strip
        self.location = location
    }
}

enum StatementNode {
    case content(ContentNode)
    case mustache(SubExpression, escaped: Bool, strip: StripFlags)
    case block(BlockNode)
    case partial(PartialNode)
    case comment(StripFlags)

    var content: ContentNode? {
        if case .content(let node) = self { return node }
        return nil
    }
}
