import LoopsealValue
/// The immutable, renderable form of a template: text runs, calls and blocks, with every path
/// resolved to a kind (helper, ambiguous, plain) and block-parameter references marked.

/// A compiled path: a reference type so the renderer passes one pointer around.
final class PathRef: Sendable {
    let path: PathExpression
    /// The first part names a block parameter in lexical scope (`as |item|`).
    let isBlockParam: Bool
    /// handlebars' `simpleId`, computed once.
    let isSimple: Bool
    let parts: [String]
    let original: String
    let location: SourceLocation

    init(path: PathExpression, isBlockParam: Bool, isSimple: Bool) {
        self.path = path
        self.isBlockParam = isBlockParam
        self.isSimple = isSimple
        parts = path.parts
        original = path.original
        location = path.location
    }
}

indirect enum CompiledExpression: Sendable {
    case path(PathRef)
    case literal(TemplateValue?)
    case call(CompiledCall)
}

/// A call site: a reference type, so walking the tree copies one pointer per node.
final class CompiledCall: Sendable {
    /// handlebars' `classifySexpr`.
    enum Kind: Sendable { case helper, ambiguous, simple }
    let kind: Kind
    let path: PathRef
    let params: [CompiledExpression]
    let hash: [(String, CompiledExpression)]
    let location: SourceLocation
    /// The helper name for simple paths.
    let name: String

    init(kind: Kind, path: PathRef, params: [CompiledExpression], hash: [(String, CompiledExpression)], location: SourceLocation) {
        self.kind = kind
        self.path = path
        self.params = params
        self.hash = hash
        self.location = location
        self.name = path.path.parts.first ?? ""
    }
}

final class CompiledProgram: Sendable {
    let nodes: [CompiledNode]
    let blockParams: [String]?
    /// Something inside reads `@data` or calls a partial, so iterations need data frames.
    let needsDataFrames: Bool
    /// The `{{#*inline "name"}}` partials defined directly in this program (the last of a name
    /// wins); they are visible while it runs, to everything it calls.
    let inlinePartials: [String: CompiledProgram]
    init(nodes: [CompiledNode], blockParams: [String]?, needsDataFrames: Bool, inlinePartials: [String: CompiledProgram]) {
        self.nodes = nodes
        self.blockParams = blockParams
        self.needsDataFrames = needsDataFrames
        self.inlinePartials = inlinePartials
    }
}

/// `{{> name context key=value}}`, or with `block` a partial block `{{#> name}}…{{/name}}`.
final class PartialCall: Sendable {
    /// The partial's name; `@partial-block` renders the block the enclosing partial was called with.
    let name: String
    let context: CompiledExpression?
    let hash: [(String, CompiledExpression)]
    /// The indentation of a standalone `{{> name}}`, added to every line the partial renders.
    let indent: String
    let location: SourceLocation
    /// A partial block's content: `@partial-block` inside the partial, or the output when no partial has the name.
    let block: CompiledProgram?

    init(name: String, context: CompiledExpression?, hash: [(String, CompiledExpression)], indent: String,
         location: SourceLocation, block: CompiledProgram?) {
        self.name = name
        self.context = context
        self.hash = hash
        self.indent = indent
        self.location = location
        self.block = block
    }
}

enum CompiledNode: Sendable {
    case text(String)
    case mustache(CompiledCall, escaped: Bool)
    case block(CompiledCall, program: CompiledProgram?, inverse: CompiledProgram?)
    case partial(PartialCall)
}

/// Turns the parse tree into ``CompiledProgram``s.
final class Compiler {
    /// Helpers handlebars knows at compile time; a bare `{{if}}` is a helper call, not a lookup.
    static let knownHelpers: Set<String> = ["helperMissing", "blockHelperMissing", "each", "if", "unless", "with", "log", "lookup"]

    private var scopes: [[String]?] = []
    private(set) var usesDepths = false
    /// Set while compiling a program when its subtree reads `@data` or calls a partial.
    private var sawData = false

    func compile(_ program: ProgramNode) -> CompiledProgram {
        scopes.insert(program.blockParams, at: 0)
        let outerSawData = sawData
        sawData = false
        defer {
            scopes.removeFirst()
            sawData = sawData || outerSawData
        }
        var nodes: [CompiledNode] = []
        var inlinePartials: [String: CompiledProgram] = [:]
        var text = ""
        func flush() {
            if !text.isEmpty { nodes.append(.text(text)); text = "" }
        }
        for statement in program.body {
            switch statement {
            case .content(let content): text += content.value
            case .comment: continue
            case .mustache(let sexpr, let escaped, _):
                flush()
                nodes.append(.mustache(call(sexpr, isSubExpression: false), escaped: escaped))
            case .block(let block):
                switch block.kind {
                case .call:
                    flush()
                    let compiledCall = call(block.sexpr, isSubExpression: false)
                    let main = block.program.map { compile($0) }
                    let inverse = block.inverse.map { compile($0) }
                    nodes.append(.block(compiledCall, program: main, inverse: inverse))
                case .partial(let name):
                    flush()
                    sawData = true
                    nodes.append(.partial(PartialCall(name: name, context: block.sexpr.params.first.map(expression),
                                                      hash: block.sexpr.hash.map { ($0.0, expression($0.1)) }, indent: "",
                                                      location: block.sexpr.location, block: block.program.map { compile($0) })))
                case .inline(let name):
                    inlinePartials[name] = compile(block.program ?? ProgramNode([]))
                }
            case .partial(let partial):
                flush()
                sawData = true
                nodes.append(.partial(PartialCall(name: partial.name, context: partial.params.first.map(expression),
                                                  hash: partial.hash.map { ($0.0, expression($0.1)) }, indent: partial.indent,
                                                  location: partial.location, block: nil)))
            }
        }
        flush()
        return CompiledProgram(nodes: nodes, blockParams: program.blockParams, needsDataFrames: sawData, inlinePartials: inlinePartials)
    }

    private func isBlockParam(_ path: PathExpression) -> Bool {
        guard path.depth == 0, !path.isScoped, !path.data, let first = path.parts.first else { return false }
        return scopes.contains { $0?.contains(first) == true }
    }

    private func pathRef(_ path: PathExpression) -> PathRef {
        if path.depth > 0 { usesDepths = true }
        if path.data { sawData = true }
        return PathRef(path: path, isBlockParam: isBlockParam(path), isSimple: path.isSimple)
    }

    private func expression(_ expression: Expression) -> CompiledExpression {
        switch expression {
        case .path(let path): return .path(pathRef(path))
        case .literal(let value, _, _): return .literal(value)
        case .subExpression(let sexpr): return .call(call(sexpr, isSubExpression: true))
        }
    }

    /// `transformLiteralToPath` then `classifySexpr`.
    private func call(_ sexpr: SubExpression, isSubExpression: Bool) -> CompiledCall {
        let path: PathExpression
        switch sexpr.path {
        case .path(let p): path = p
        case .literal(_, let original, let location):
            path = PathExpression(data: false, depth: 0, parts: [original], original: original, location: location)
        case .subExpression(let inner):
            path = PathExpression(data: false, depth: 0, parts: ["(…)"], original: "(…)", location: inner.location)
        }
        let ref = pathRef(path)
        let isSimple = path.isSimple
        let blockParam = isSimple && ref.isBlockParam
        var isHelper = !blockParam && (isSubExpression || !sexpr.params.isEmpty || !sexpr.hash.isEmpty)
        let isEligible = !blockParam && (isHelper || isSimple)
        if isEligible && !isHelper, let first = path.parts.first, Self.knownHelpers.contains(first) { isHelper = true }
        let kind: CompiledCall.Kind = isHelper ? .helper : (isEligible ? .ambiguous : .simple)
        return CompiledCall(kind: kind, path: ref, params: sexpr.params.map { expression($0) },
                            hash: sexpr.hash.map { ($0.0, expression($0.1)) }, location: sexpr.location)
    }
}
