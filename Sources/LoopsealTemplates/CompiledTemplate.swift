import LoopsealValue
/// The immutable, renderable form of a template. Everything the renderer can decide before
/// rendering is decided here: which calls are helpers (the engine's helpers are bound now), which
/// blocks are the built-in `if`/`unless`/`each`/`with` (run without a helper call), how each path
/// is read, and static text as UTF-8 bytes.

/// A compiled path: a reference type so the renderer passes one pointer around.
final class PathRef: Sendable {
    /// How the path is read; the common shapes skip the general walk.
    enum Access: Sendable {
        /// `this` or `.`: the context itself.
        case context
        /// `name` or `this.name`: one property of the context.
        case contextProperty(String)
        /// Anything else: `../`, `@data`, block parameters, several parts.
        case general
    }

    let path: PathExpression
    /// The first part names a block parameter in lexical scope (`as |item|`).
    let isBlockParam: Bool
    /// handlebars' `simpleId`, computed once.
    let isSimple: Bool
    let parts: [String]
    let original: String
    let location: SourceLocation
    let access: Access

    init(path: PathExpression, isBlockParam: Bool, isSimple: Bool) {
        self.path = path
        self.isBlockParam = isBlockParam
        self.isSimple = isSimple
        parts = path.parts
        original = path.original
        location = path.location
        if isBlockParam || path.data || path.depth > 0 || path.parts.count > 1 {
            access = .general
        } else {
            access = path.parts.first.map { .contextProperty($0) } ?? .context
        }
    }
}

enum CompiledExpression: Sendable {
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
    /// The engine's helper of that name when the call may be one (bound at compile time).
    let helper: Helper?

    init(kind: Kind, path: PathRef, params: [CompiledExpression], hash: [(String, CompiledExpression)],
         location: SourceLocation, helper: Helper?) {
        self.kind = kind
        self.path = path
        self.params = params
        self.hash = hash
        self.location = location
        self.name = path.path.parts.first ?? ""
        self.helper = helper
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

/// A run of static text, kept as the bytes the renderer copies.
final class TextRun: Sendable {
    let bytes: [UInt8]
    init(_ text: String) { bytes = Array(text.utf8) }
}

/// A block the renderer runs itself: the built-in `if`/`unless`/`each`/`with` called the plain
/// way (one argument; `if`/`unless` may add `includeZero=`), and `{{#name}}` sections.
final class BuiltinBlock: Sendable {
    /// The argument (for a section, its own path).
    let argument: CompiledExpression
    /// A section's path, read as the tag's own path (strict mode requires its last part).
    let sectionPath: PathRef?
    /// `includeZero=` of `if`/`unless`.
    let includeZero: CompiledExpression?
    let program: CompiledProgram?
    let inverse: CompiledProgram?
    let location: SourceLocation

    init(argument: CompiledExpression, includeZero: CompiledExpression?, program: CompiledProgram?, inverse: CompiledProgram?,
         location: SourceLocation, sectionPath: PathRef? = nil) {
        self.argument = argument
        self.sectionPath = sectionPath
        self.includeZero = includeZero
        self.program = program
        self.inverse = inverse
        self.location = location
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

/// One step of a compiled program: what it does and the object it does it with.
///
/// A struct of plain references rather than an enum with class payloads: such an enum keeps its
/// case in the pointers' spare bits, which hides them from LeakSanitizer, so every cached
/// template looked leaked to the fuzzers.
struct CompiledNode: Sendable {
    enum Kind: UInt8, Sendable {
        /// Static text (a ``TextRun``).
        case text
        /// `{{path}}` that is no helper, printed from a lookup (a ``PathRef``).
        case value
        /// `{{helper …}}` or a call that is decided when rendering (a ``CompiledCall``).
        case mustache
        /// The built-ins run inline (a ``BuiltinBlock``).
        case ifBlock, unlessBlock, eachBlock, withBlock
        /// `{{#path}}…{{/path}}` with no helper of that name: handlebars' `blockHelperMissing` (a ``BuiltinBlock``).
        case section
        /// A block helper call (a ``HelperBlock``).
        case block
        /// A partial or partial block (a ``PartialCall``).
        case partial
    }

    let kind: Kind
    /// For `value` and `mustache`: HTML-escape what is printed.
    let escaped: Bool
    let object: AnyObject & Sendable

    init(_ kind: Kind, _ object: AnyObject & Sendable, escaped: Bool = false) {
        self.kind = kind
        self.object = object
        self.escaped = escaped
    }

    /// The node's object as the type its kind names.
    @inline(__always)
    func object<T: AnyObject>(as type: T.Type) -> T { unsafeDowncast(object, to: type) }
}

/// A block helper call with its block and `{{else}}` part.
final class HelperBlock: Sendable {
    let call: CompiledCall
    let program: CompiledProgram?
    let inverse: CompiledProgram?
    init(call: CompiledCall, program: CompiledProgram?, inverse: CompiledProgram?) {
        self.call = call
        self.program = program
        self.inverse = inverse
    }
}

/// Turns the parse tree into ``CompiledProgram``s.
final class Compiler {
    /// Helpers handlebars knows at compile time; a bare `{{if}}` is a helper call, not a lookup.
    static let knownHelpers: Set<String> = ["helperMissing", "blockHelperMissing", "each", "if", "unless", "with", "log", "lookup"]

    private let helpers: [String: Helper]
    /// Names whose helper is still the built-in one, so the renderer may run it inline.
    private let builtins: Set<String>
    private var scopes: [[String]?] = []
    private(set) var usesDepths = false
    /// Set while compiling a program when its subtree reads `@data` or calls a partial.
    private var sawData = false

    init(helpers: [String: Helper], builtins: Set<String>) {
        self.helpers = helpers
        self.builtins = builtins
    }

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
            if !text.isEmpty { nodes.append(CompiledNode(.text, TextRun(text))); text = "" }
        }
        for statement in program.body {
            switch statement {
            case .content(let content): text += content.value
            case .comment: continue
            case .mustache(let sexpr, let escaped, _):
                flush()
                let compiled = call(sexpr, isSubExpression: false)
                if compiled.helper == nil && compiled.kind != .helper {
                    nodes.append(CompiledNode(.value, compiled.path, escaped: escaped))
                } else {
                    nodes.append(CompiledNode(.mustache, compiled, escaped: escaped))
                }
            case .block(let block):
                switch block.kind {
                case .call:
                    flush()
                    let compiledCall = call(block.sexpr, isSubExpression: false)
                    let main = block.program.map { compile($0) }
                    let inverse = block.inverse.map { compile($0) }
                    nodes.append(blockNode(compiledCall, program: main, inverse: inverse))
                case .partial(let name):
                    flush()
                    sawData = true
                    nodes.append(CompiledNode(.partial, PartialCall(name: name, context: block.sexpr.params.first.map(expression),
                                                                    hash: block.sexpr.hash.map { ($0.0, expression($0.1)) }, indent: "",
                                                                    location: block.sexpr.location, block: block.program.map { compile($0) })))
                case .inline(let name):
                    inlinePartials[name] = compile(block.program ?? ProgramNode([]))
                }
            case .partial(let partial):
                flush()
                sawData = true
                nodes.append(CompiledNode(.partial, PartialCall(name: partial.name, context: partial.params.first.map(expression),
                                                                hash: partial.hash.map { ($0.0, expression($0.1)) }, indent: partial.indent,
                                                                location: partial.location, block: nil)))
            }
        }
        flush()
        return CompiledProgram(nodes: nodes, blockParams: program.blockParams, needsDataFrames: sawData, inlinePartials: inlinePartials)
    }

    /// A block statement: a built-in run inline when it is called the plain way, a section when
    /// no helper has the name, a helper call otherwise.
    private func blockNode(_ call: CompiledCall, program: CompiledProgram?, inverse: CompiledProgram?) -> CompiledNode {
        if call.helper == nil && call.kind != .helper {
            return CompiledNode(.section, BuiltinBlock(argument: .path(call.path), includeZero: nil, program: program,
                                                       inverse: inverse, location: call.location, sectionPath: call.path))
        }
        let helperBlock = CompiledNode(.block, HelperBlock(call: call, program: program, inverse: inverse))
        guard call.kind != .simple, call.path.isSimple, !call.path.isBlockParam, builtins.contains(call.name),
              call.params.count == 1, program?.blockParams == nil || call.name == "each" || call.name == "with" else {
            return helperBlock
        }
        let includeZero = call.hash.count == 1 && call.hash[0].0 == "includeZero" ? call.hash[0].1 : nil
        guard call.hash.isEmpty || (includeZero != nil && (call.name == "if" || call.name == "unless")) else {
            return helperBlock
        }
        let block = BuiltinBlock(argument: call.params[0], includeZero: includeZero, program: program, inverse: inverse,
                                 location: call.location)
        switch call.name {
        case "if": return CompiledNode(.ifBlock, block)
        case "unless": return CompiledNode(.unlessBlock, block)
        case "each": return CompiledNode(.eachBlock, block)
        case "with": return CompiledNode(.withBlock, block)
        default: return helperBlock
        }
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

    /// `transformLiteralToPath` then `classifySexpr`, and the helper bound when there is one.
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
        let name = path.parts.first ?? ""
        let isHook = name == "helperMissing" || name == "blockHelperMissing"
        let helper = kind != .simple && isSimple && !ref.isBlockParam && !isHook ? helpers[name] : nil
        return CompiledCall(kind: kind, path: ref, params: sexpr.params.map { expression($0) },
                            hash: sexpr.hash.map { ($0.0, expression($0.1)) }, location: sexpr.location, helper: helper)
    }
}
