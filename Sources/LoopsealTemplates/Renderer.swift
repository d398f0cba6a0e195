import LoopsealValue
/// Where rendering is: the context, the `../` chain, the `@data` frame, block parameters and
/// the inline partials in force.
struct Scope: Sendable {
    var context: TemplateValue?
    var depths: DepthNode
    var data: DataFrame
    var blockParams: BlockParamFrame?
    var template: TemplateInfo
    var nesting: Int
    var partials: InlinePartials?
}

/// The `{{#*inline}}` partials of the programs running, innermost first (handlebars' partials stack).
final class InlinePartials: Sendable {
    let programs: [String: CompiledProgram]
    /// The template that defines them: an inline partial reports errors and reads `../` as it does.
    let template: TemplateInfo
    let parent: InlinePartials?
    init(_ programs: [String: CompiledProgram], template: TemplateInfo, parent: InlinePartials?) {
        self.programs = programs
        self.template = template
        self.parent = parent
    }

    func lookup(_ name: String) -> (CompiledProgram, TemplateInfo)? {
        var frame: InlinePartials? = self
        while let current = frame {
            if let program = current.programs[name] { return (program, current.template) }
            frame = current.parent
        }
        return nil
    }
}

/// The block of a `{{#> partial}}…{{/partial}}` call: what `{{> @partial-block}}` renders, in the
/// scope of the call (its `../`, block parameters and partials), with the partial block that was
/// in force there as its own `@partial-block`.
final class PartialBlock: Sendable {
    let program: CompiledProgram
    let scope: Scope
    init(program: CompiledProgram, scope: Scope) {
        self.program = program
        self.scope = scope
    }
}

/// Linked list of contexts; the head is the current one (handlebars' `depths`).
final class DepthNode: Sendable {
    let value: TemplateValue?
    let parent: DepthNode?
    init(_ value: TemplateValue?, parent: DepthNode?) { self.value = value; self.parent = parent }

    func at(_ depth: Int) -> TemplateValue?? {
        var node: DepthNode? = self
        for _ in 0..<depth { node = node?.parent }
        return node.map { $0.value }
    }
}

/// A `@data` frame: `@index`, `@key`, `@first`, `@last`, `@root`, other `@` names a helper
/// set, and `@../` to the parent frame.
final class DataFrame: Sendable {
    let iteration: Iteration?
    let values: [String: TemplateValue]
    let root: TemplateValue?
    let parent: DataFrame?
    /// `@partial-block`: set by a partial block call for the partial it renders.
    let partialBlock: PartialBlock?

    /// What `each` sets for every item, kept in fields rather than a dictionary.
    struct Iteration: Sendable {
        var key: TemplateValue
        var index: Int
        var first: Bool
        var last: Bool
    }

    init(iteration: Iteration? = nil, values: [String: TemplateValue] = [:], root: TemplateValue?, parent: DataFrame?,
         partialBlock: PartialBlock? = nil) {
        self.iteration = iteration
        self.values = values
        self.root = root
        self.parent = parent
        self.partialBlock = partialBlock
    }

    /// handlebars' `createFrame`: a child frame starts with a copy of its parent's fields.
    static func child(of parent: DataFrame, iteration: Iteration?, values: [String: TemplateValue]?) -> DataFrame {
        var merged = parent.values
        if let values { merged.merge(values) { _, new in new } }
        return DataFrame(iteration: iteration ?? parent.iteration, values: merged, root: parent.root, parent: parent,
                         partialBlock: parent.partialBlock)
    }

    /// A child frame whose `@partial-block` is `partialBlock`.
    static func child(of parent: DataFrame, partialBlock: PartialBlock?) -> DataFrame {
        DataFrame(iteration: parent.iteration, values: parent.values, root: parent.root, parent: parent, partialBlock: partialBlock)
    }

    func property(_ name: String) -> TemplateValue?? {
        if !values.isEmpty, let value = values[name] { return .some(value) }
        if let iteration {
            switch name {
            case "key": return .some(iteration.key)
            case "index": return .some(.number(Double(iteration.index)))
            case "first": return .some(.bool(iteration.first))
            case "last": return .some(.bool(iteration.last))
            default: break
            }
        }
        if name == "root" { return .some(root) }
        if name == "partial-block", partialBlock != nil { return .some(.bool(true)) }
        return nil
    }
}

/// Values of `as |a b|` for one block, linked to the enclosing ones.
final class BlockParamFrame: Sendable {
    let names: [String]
    let values: [TemplateValue?]
    let parent: BlockParamFrame?
    init(names: [String], values: [TemplateValue?], parent: BlockParamFrame?) {
        self.names = names
        self.values = values
        self.parent = parent
    }

    func value(_ name: String) -> TemplateValue? {
        var frame: BlockParamFrame? = self
        while let current = frame {
            if let index = current.names.firstIndex(of: name) { return index < current.values.count ? current.values[index] : nil }
            frame = current.parent
        }
        return nil
    }
}

/// Facts about the template being rendered that change how it runs.
final class TemplateInfo: Sendable {
    let name: String
    /// handlebars passes its `../` chain into partials only when the caller uses `../`.
    let usesDepths: Bool
    init(name: String, usesDepths: Bool) {
        self.name = name
        self.usesDepths = usesDepths
    }
}

/// Renders compiled programs with handlebars.js' runtime semantics. One renderer serves one
/// render call; everything is appended to a single buffer, which block helpers write into
/// directly (`HelperCall.fn` captures a separate string for helpers that want one).
final class Renderer {
    let engine: TemplateEngine
    private static let maxNesting = 400
    /// The output so far. A pointer rather than a stored `var`: appends are the hot path and
    /// a class property would pay for dynamic exclusivity checks on every one.
    private let buffer: UnsafeMutablePointer<String>

    init(engine: TemplateEngine) {
        self.engine = engine
        buffer = .allocate(capacity: 1)
        buffer.initialize(to: "")
    }

    deinit {
        buffer.deinitialize(count: 1)
        buffer.deallocate()
    }

    /// The output buffer.
    var output: String {
        get { buffer.pointee }
        _modify { yield &buffer.pointee }
    }

    /// Runs `body` with an empty buffer and returns what it wrote, restoring the buffer after.
    func capture(_ body: () throws -> Void) throws -> String {
        let saved = buffer.move()
        buffer.initialize(to: "")
        defer { buffer.initialize(to: saved) }
        try body()
        return buffer.move()
    }

    private var currentTemplate: TemplateInfo?

    func error(_ message: String, at location: SourceLocation, kind: TemplateError.Kind = .render) -> TemplateError {
        TemplateError(kind: kind, template: currentTemplate?.name ?? "template", line: location.line, column: location.column, message: message)
    }

    /// Renders a whole template with `context` as its root.
    func render(_ template: Template, context: TemplateValue?) throws -> String {
        let scope = Scope(context: context, depths: DepthNode(context, parent: nil),
                          data: DataFrame(root: context, parent: nil), blockParams: nil,
                          template: template.info, nesting: 0, partials: nil)
        output.reserveCapacity(4096)
        try run(template.program, scope: scope)
        return buffer.pointee
    }

    /// Renders `program` for a helper's `fn`/`inverse` into `out`, pushing the context (when it
    /// is a new one), a data frame and block parameters.
    func render(_ program: CompiledProgram, context: TemplateValue?, from scope: Scope, frame: DataFrame?,
                blockParameters: [TemplateValue?]) throws {
        var inner = scope
        inner.context = context
        if scope.template.usesDepths && !TemplateValue.looseEquals(context, scope.depths.value) {
            inner.depths = DepthNode(context, parent: scope.depths)
        }
        if let frame { inner.data = frame }
        if let names = program.blockParams {
            inner.blockParams = BlockParamFrame(names: names, values: blockParameters, parent: scope.blockParams)
        }
        inner.nesting += 1
        guard inner.nesting < Self.maxNesting else {
            throw error("blocks or partials nested more than \(Self.maxNesting) deep (a partial that includes itself?)", at: SourceLocation(line: 1, column: 1))
        }
        try run(program, scope: inner)
    }

    private func run(_ program: CompiledProgram, scope outer: Scope) throws {
        var scope = outer
        if !program.inlinePartials.isEmpty {
            scope.partials = InlinePartials(program.inlinePartials, template: scope.template, parent: scope.partials)
        }
        let saved = currentTemplate
        if saved !== scope.template { currentTemplate = scope.template }
        defer { if saved !== scope.template { currentTemplate = saved } }
        for node in program.nodes {
            switch node {
            case .text(let text):
                output += text
            case .mustache(let call, let escaped):
                let result = try evaluate(call, scope: scope)
                switch result {
                case .html(let text): output += text
                case .value(let value?):
                    switch value {
                    case .null: continue
                    case .string(let string): if escaped { HTMLEscape.append(string, to: &output) } else { output += string }
                    default: if escaped { HTMLEscape.append(value.javaScriptString, to: &output) } else { output += value.javaScriptString }
                    }
                case .value(nil): continue
                }
            case .block(let call, let program, let inverse):
                try block(call, program: program, inverse: inverse, scope: scope)
            case .partial(let call):
                try partial(call, scope: scope)
            }
        }
    }

    // MARK: Calls

    /// A mustache or sub-expression.
    private func evaluate(_ call: CompiledCall, scope: Scope) throws -> HelperResult {
        switch call.kind {
        case .simple:
            return .value(try resolve(call.path, scope: scope, strictTerminal: true, location: call.path.location))
        case .helper:
            return try invoke(call, scope: scope, program: nil, inverse: nil, isBlock: false)
        case .ambiguous:
            if let helper = engine.helper(named: call.name) {
                return try callHelper(helper, call, scope: scope, program: nil, inverse: nil, isBlock: false)
            }
            return .value(try resolve(call.path, scope: scope, strictTerminal: true, location: call.path.location))
        }
    }

    private func block(_ call: CompiledCall, program: CompiledProgram?, inverse: CompiledProgram?, scope: Scope) throws {
        let value: TemplateValue?
        switch call.kind {
        case .helper:
            append(try invoke(call, scope: scope, program: program, inverse: inverse, isBlock: true))
            return
        case .ambiguous:
            if let helper = engine.helper(named: call.name) {
                append(try callHelper(helper, call, scope: scope, program: program, inverse: inverse, isBlock: true))
                return
            }
            value = try resolve(call.path, scope: scope, strictTerminal: true, location: call.path.location)
        case .simple:
            value = try resolve(call.path, scope: scope, strictTerminal: true, location: call.path.location)
        }
        let helperCall = HelperCall(name: call.path.original, arguments: [value], hash: [], context: scope.context, isBlock: true,
                                    renderer: self, scope: scope, program: program, inverseProgram: inverse, location: call.location)
        switch value {
        case .bool(true)?: try helperCall.appendFn(scope.context)
        case nil, .null?, .bool(false)?: try helperCall.appendInverse(scope.context)
        case .array(let array)?:
            if array.items.isEmpty { try helperCall.appendInverse(scope.context) } else {
                append(try BuiltinHelpers.eachHelper(helperCall))
            }
        case let other?: try helperCall.appendFn(other)
        }
    }

    private func append(_ result: HelperResult) {
        switch result {
        case .html(let text): output += text
        case .value(let value?):
            if case .null = value { return }
            output += value.javaScriptString
        case .value(nil): return
        }
    }

    /// A definite helper call: a registered helper, else handlebars' `helperMissing` rules.
    private func invoke(_ call: CompiledCall, scope: Scope, program: CompiledProgram?, inverse: CompiledProgram?, isBlock: Bool) throws -> HelperResult {
        if call.path.isSimple, call.name == "helperMissing" || call.name == "blockHelperMissing" {
            throw error("'\(call.name)' is handlebars' hook for missing helpers; a template cannot call it", at: call.location)
        }
        if call.path.isSimple, !call.path.isBlockParam, let helper = engine.helper(named: call.name) {
            return try callHelper(helper, call, scope: scope, program: program, inverse: inverse, isBlock: isBlock)
        }
        let value = try resolve(call.path, scope: scope, strictTerminal: true, location: call.path.location)
        if let value, !(value.isNull) {
            throw error("'\(call.path.original)' is not a helper (it is a value in the data)", at: call.location)
        }
        if engine.strict || !call.params.isEmpty {
            throw error("Missing helper: \"\(call.path.original)\"", at: call.location)
        }
        _ = try arguments(call, scope: scope)
        return .none
    }

    private func arguments(_ call: CompiledCall, scope: Scope) throws -> ([TemplateValue?], [(String, TemplateValue?)]) {
        let params = try call.params.map { try value(of: $0, scope: scope) }
        let hash = try call.hash.map { ($0.0, try value(of: $0.1, scope: scope)) }
        return (params, hash)
    }

    private func callHelper(_ helper: Helper, _ call: CompiledCall, scope: Scope, program: CompiledProgram?, inverse: CompiledProgram?, isBlock: Bool) throws -> HelperResult {
        let (params, hash) = try arguments(call, scope: scope)
        let helperCall = HelperCall(name: call.path.original, arguments: params, hash: hash, context: scope.context, isBlock: isBlock,
                                    renderer: self, scope: scope, program: program, inverseProgram: inverse, location: call.location)
        do {
            return try helper(helperCall)
        } catch let error as TemplateError {
            throw error
        } catch {
            throw self.error("helper '\(call.path.original)' failed: \(error)", at: call.location)
        }
    }

    private func value(of expression: CompiledExpression, scope: Scope) throws -> TemplateValue? {
        switch expression {
        case .literal(let value): return value
        case .path(let ref): return try resolve(ref, scope: scope, strictTerminal: false, location: ref.location)
        case .call(let call): return try evaluate(call, scope: scope).asValue
        }
    }

    // MARK: Paths

    /// Looks a path up like handlebars' compiled code. Outside strict mode a missing path is
    /// `undefined`. In strict mode, reading through `null`/`undefined` is an error (JavaScript's
    /// TypeError), and so is a missing last part when `strictTerminal` (the tag's own path).
    func resolve(_ ref: PathRef, scope: Scope, strictTerminal: Bool, location: SourceLocation) throws -> TemplateValue? {
        let path = ref.path
        let strict = engine.strict
        var parts = ref.parts[...]
        var base: TemplateValue?
        if ref.isBlockParam, let first = parts.first {
            base = scope.blockParams?.value(first)
            parts = parts.dropFirst()
            return try walk(base, parts, strict: strict, strictTerminal: false, path: path, location: location)
        }
        if path.data {
            var frame: DataFrame? = scope.data
            for _ in 0..<path.depth { frame = frame?.parent }
            guard let first = parts.first else { return nil }
            guard let frame else {
                if strict { throw missing(path, first, location) }
                return nil
            }
            let found = frame.property(first)
            if strict && found == nil && parts.count == 1 && strictTerminal { throw missing(path, first, location) }
            return try walk(found ?? nil, parts.dropFirst(), strict: strict, strictTerminal: strictTerminal, path: path, location: location)
        }
        if path.depth == 0 {
            base = scope.context
        } else {
            base = scope.depths.at(path.depth) ?? nil
        }
        return try walk(base, parts, strict: strict, strictTerminal: strictTerminal, path: path, location: location)
    }

    private func walk(_ start: TemplateValue?, _ parts: ArraySlice<String>, strict: Bool, strictTerminal: Bool,
                      path: PathExpression, location: SourceLocation) throws -> TemplateValue? {
        var current = start
        for (offset, part) in parts.enumerated() {
            let isLast = offset == parts.count - 1
            if strict {
                if isLast && strictTerminal {
                    guard let base = current, !base.isJSFalsy, base.isObjectLike, base.hasProperty(part) else {
                        throw missing(path, part, location)
                    }
                    current = base.property(part)
                } else {
                    guard let base = current, !base.isNull else { throw missing(path, part, location) }
                    current = base.property(part)
                }
            } else {
                guard let base = current, !base.isNull else { return current }
                current = base.property(part)
            }
        }
        return current
    }

    private func missing(_ path: PathExpression, _ part: String, _ location: SourceLocation) -> TemplateError {
        error("'\(path.original)' is missing ('\(part)' is not defined) in strict mode", at: location, kind: .missingPath)
    }

    // MARK: Partials

    /// `{{> name}}` and `{{#> name}}…{{/name}}`, as handlebars' `invokePartial`: inline partials
    /// in force come first, then the engine's; a partial block renders its block when neither has
    /// the name, and hands it to the partial as `@partial-block` otherwise.
    private func partial(_ call: PartialCall, scope: Scope) throws {
        var context = try call.context.map { try value(of: $0, scope: scope) } ?? scope.context
        if !call.hash.isEmpty {
            var pairs: [(String, TemplateValue)] = []
            switch context {
            case .object(let object)?: pairs = zip(object.keys, object.values).map { ($0, $1) }
            case .array(let array)?: pairs = array.items.enumerated().map { (String($0.offset), $0.element) }
            default: break
            }
            for (key, expression) in call.hash { pairs.append((key, try value(of: expression, scope: scope) ?? .null)) }
            context = .dictionary(pairs)
        }
        var data = scope.data
        var partials = scope.partials
        var ownBlock: PartialBlock?
        if let block = call.block {
            let partialBlock = PartialBlock(program: block, scope: scope)
            data = DataFrame.child(of: scope.data, partialBlock: partialBlock)
            if !block.inlinePartials.isEmpty {
                partials = InlinePartials(block.inlinePartials, template: scope.template, parent: partials)
            }
            ownBlock = partialBlock
        }
        guard scope.nesting + 1 < Self.maxNesting else {
            throw error("partials nested more than \(Self.maxNesting) deep (a partial that includes itself?)", at: call.location)
        }
        let target: (program: CompiledProgram, template: TemplateInfo)?
        if call.name == "@partial-block" {
            target = nil
        } else if let inline = partials?.lookup(call.name) {
            target = inline
        } else if let template = try engine.partial(named: call.name) {
            target = (template.program, template.info)
        } else {
            target = nil
        }
        let inner: Scope
        let program: CompiledProgram
        if let target {
            var partialScope = scope
            partialScope.context = context
            partialScope.template = target.template
            partialScope.blockParams = nil
            partialScope.data = data
            partialScope.partials = partials
            if scope.template.usesDepths {
                if !TemplateValue.looseEquals(context, scope.depths.value) {
                    partialScope.depths = DepthNode(context, parent: scope.depths)
                }
            } else {
                partialScope.depths = DepthNode(context, parent: nil)
            }
            partialScope.nesting += 1
            inner = partialScope
            program = target.program
        } else {
            let partialBlock = call.name == "@partial-block" ? scope.data.partialBlock : ownBlock
            guard let partialBlock else { throw error("The partial \(call.name) could not be found", at: call.location) }
            inner = blockScope(partialBlock, context: context, data: data, nesting: scope.nesting + 1)
            program = partialBlock.program
        }
        if call.indent.isEmpty {
            try run(program, scope: inner)
        } else {
            let rendered = try capture { try run(program, scope: inner) }
            // Split on U+000A itself: "\r\n" is one Character in Swift but two in JavaScript.
            let lines = rendered.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
            for (i, line) in lines.enumerated() {
                if i > 0 { output += "\n" }
                if line.isEmpty && i + 1 == lines.count { break }
                output += call.indent
                output += String(String.UnicodeScalarView(line))
            }
        }
    }

    /// The scope a partial block's content renders in: the call's, with `context` pushed, and the
    /// data frame of where it is rendered with the call's own `@partial-block` restored.
    private func blockScope(_ partialBlock: PartialBlock, context: TemplateValue?, data: DataFrame, nesting: Int) -> Scope {
        var inner = partialBlock.scope
        inner.context = context
        if inner.template.usesDepths && !TemplateValue.looseEquals(context, inner.depths.value) {
            inner.depths = DepthNode(context, parent: inner.depths)
        }
        inner.data = DataFrame.child(of: data, partialBlock: partialBlock.scope.data.partialBlock)
        inner.nesting = nesting
        return inner
    }
}

extension TemplateValue {
    /// True for `.null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}
