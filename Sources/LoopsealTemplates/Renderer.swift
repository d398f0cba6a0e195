import LoopsealValue
/// Renders compiled programs with handlebars.js' runtime semantics. One renderer serves one
/// render call. Everything is written to one ``OutputBuffer``; block helpers write into it
/// directly, and `HelperCall.fn` cuts out what a block wrote for helpers that want a string.
final class Renderer {
    let engine: TemplateEngine
    private let strict: Bool
    /// Blocks, partials and partial blocks entered and not yet left.
    private var nesting = 0
    private static let maxNesting = 400
    /// Blocks entered and `each` iterations run so far, and the most one render may do: nested
    /// loops multiply (`{{#each}}` k deep over n items runs n^k times, a partial block rendered
    /// twice per level doubles), so a template from a pull request could otherwise run for ever.
    private var steps = 0
    private let maxSteps: Int
    /// The output so far. A pointer rather than a stored `var`: appends are the hot path and a
    /// class property would pay for dynamic exclusivity checks on every one.
    private let out: UnsafeMutablePointer<OutputBuffer>

    init(engine: TemplateEngine) {
        self.engine = engine
        strict = engine.strict
        maxSteps = engine.maxRenderSteps
        out = .allocate(capacity: 1)
        out.initialize(to: OutputBuffer(capacity: 4096, limit: engine.maxOutputBytes))
    }

    deinit {
        out.pointee.free()
        out.deinitialize(count: 1)
        out.deallocate()
    }

    /// Runs `body` and returns what it wrote, leaving the output as it was before.
    func capture(_ body: () throws -> Void) throws -> String {
        let start = out.pointee.count
        defer { out.pointee.truncate(to: start) }
        try body()
        return out.pointee.string(from: start)
    }

    func error(_ message: String, at location: SourceLocation, in template: TemplateInfo, kind: TemplateError.Kind = .render) -> TemplateError {
        TemplateError(kind: kind, template: template.name, line: location.line, column: location.column, message: message)
    }

    /// Renders a whole template with `context` as its root.
    func render(_ template: Template, context: TemplateValue?) throws -> String {
        let scope = Scope(context: context, depths: DepthNode(context, parent: nil),
                          data: DataFrame(root: context, parent: nil), blockParams: nil,
                          template: template.info, partials: nil)
        try run(template.program, scope, outside: nil)
        if out.pointee.overflowed { throw outputTooLarge(scope, at: SourceLocation(line: 1, column: 1)) }
        return out.pointee.string(from: 0)
    }

    private func outputTooLarge(_ scope: Scope, at location: SourceLocation) -> TemplateError {
        error("the rendered text is larger than \(engine.maxOutputBytes) bytes", at: location, in: scope.template)
    }

    // MARK: Programs

    /// Enters one level of blocks or partials; the caller leaves it with `defer { nesting -= 1 }`.
    @inline(__always)
    private func enter(_ scope: Scope, at location: SourceLocation) throws {
        guard nesting + 1 < Self.maxNesting else {
            throw error("blocks or partials nested more than \(Self.maxNesting) deep (a partial that includes itself?)",
                        at: location, in: scope.template)
        }
        try step(scope, at: location)
        nesting += 1
    }

    /// Counts `count` steps (a block, a loop iteration, a key copied into a partial's context)
    /// against ``maxSteps``, and stops a render whose output has outgrown the engine's limit.
    @inline(__always)
    private func step(_ scope: Scope, at location: SourceLocation, count: Int = 1) throws {
        if out.pointee.overflowed { throw outputTooLarge(scope, at: location) }
        guard steps <= maxSteps - count else {
            throw error("rendering took more than \(maxSteps) steps (blocks, loop iterations and keys copied into partials' contexts): loops nested in loops multiply (each level runs once per item of the one around it)",
                        at: location, in: scope.template)
        }
        steps += count
    }

    /// Renders `program` for a helper's `fn`/`inverse`, pushing the context (when it is a new
    /// one), a data frame and block parameters.
    func render(_ program: CompiledProgram, context: TemplateValue?, from scope: Scope, frame: DataFrame?,
                blockParameters: [TemplateValue?], at location: SourceLocation) throws {
        var inner = scope
        inner.context = context
        if scope.template.usesDepths && !TemplateValue.looseEquals(context, scope.depths.value) {
            inner.depths = DepthNode(context, parent: scope.depths)
        }
        if let frame { inner.data = frame }
        if let names = program.blockParams {
            inner.blockParams = BlockParamFrame(names: names, values: blockParameters, parent: scope.blockParams)
        }
        try enter(scope, at: location)
        defer { nesting -= 1 }
        try run(program, inner, outside: scope.depths)
    }

    /// Renders `program` in the same context (`if`, `unless`, `else`).
    @inline(__always)
    private func runSameContext(_ program: CompiledProgram, _ scope: Scope, at location: SourceLocation) throws {
        try enter(scope, at: location)
        defer { nesting -= 1 }
        try run(program, scope, outside: scope.depths)
    }

    /// Runs a program's nodes, with its inline partials in force. `outside` is the `../` chain
    /// around the program (before its own context), which its inline partials close over.
    private func run(_ program: CompiledProgram, _ scope: Scope, outside: DepthNode?) throws {
        if program.inlinePartials.isEmpty {
            try runNodes(program.nodes, scope)
        } else {
            var inner = scope
            inner.partials = InlinePartials(program.inlinePartials, template: scope.template, depths: outside, parent: scope.partials)
            try runNodes(program.nodes, inner)
        }
    }

    private func runNodes(_ nodes: [CompiledNode], _ scope: Scope) throws {
        for node in nodes {
            switch node.kind {
            case .text:
                node.object(as: TextRun.self).bytes.withUnsafeBufferPointer { out.pointee.append($0) }
            case .value:
                write(try resolve(node.object(as: PathRef.self), scope, strictTerminal: true), escaped: node.escaped)
            case .mustache:
                switch try evaluate(node.object(as: CompiledCall.self), scope) {
                case .html(let text): out.pointee.append(text)
                case .value(let value): write(value, escaped: node.escaped)
                }
            case .ifBlock:
                try conditional(node.object(as: BuiltinBlock.self), scope, negate: false)
            case .unlessBlock:
                try conditional(node.object(as: BuiltinBlock.self), scope, negate: true)
            case .eachBlock:
                let block = node.object(as: BuiltinBlock.self)
                try each(try value(of: block.argument, scope), block.program, block.inverse, scope, at: block.location)
            case .withBlock:
                try with(node.object(as: BuiltinBlock.self), scope)
            case .section:
                try section(node.object(as: BuiltinBlock.self), scope)
            case .block:
                try helperBlock(node.object(as: HelperBlock.self), scope)
            case .partial:
                try partial(node.object(as: PartialCall.self), scope: scope)
            }
        }
    }

    /// Prints a value as `{{…}}` does: nothing for null and undefined, JavaScript's `String(value)` otherwise.
    @inline(__always)
    private func write(_ value: TemplateValue?, escaped: Bool) {
        switch value {
        case nil, .null?: return
        case .string(let string)?:
            if escaped { out.pointee.appendEscaped(string) } else { out.pointee.append(string) }
        case .number?, .bool?:
            out.pointee.append(value?.javaScriptString ?? "")
        case let other?:
            if escaped { out.pointee.appendEscaped(other.javaScriptString) } else { out.pointee.append(other.javaScriptString) }
        }
    }

    // MARK: Built-in blocks

    /// `if` and `unless`: handlebars' truthiness, with `includeZero=true` counting 0 as true.
    private func conditional(_ block: BuiltinBlock, _ scope: Scope, negate: Bool) throws {
        let condition = try value(of: block.argument, scope)
        let includeZero = try block.includeZero.map { try value(of: $0, scope) } ?? nil
        let branch = BuiltinHelpers.isTrue(condition, includeZero: includeZero) != negate ? block.program : block.inverse
        if let branch { try runSameContext(branch, scope, at: block.location) }
    }

    private func with(_ block: BuiltinBlock, _ scope: Scope) throws {
        guard let value = try value(of: block.argument, scope), !value.isEmpty else {
            if let inverse = block.inverse { try runSameContext(inverse, scope, at: block.location) }
            return
        }
        guard let program = block.program else { return }
        try render(program, context: value, from: scope, frame: nil, blockParameters: [value], at: block.location)
    }

    /// `{{#name}}` with no helper `name`: handlebars' `blockHelperMissing`.
    private func section(_ block: BuiltinBlock, _ scope: Scope) throws {
        let value = try block.sectionPath.map { try resolve($0, scope, strictTerminal: true) } ?? nil
        switch value {
        case .bool(true)?:
            if let program = block.program { try runSection(program, scope.context, scope, at: block.location) }
        case nil, .null?, .bool(false)?:
            if let inverse = block.inverse { try runSection(inverse, scope.context, scope, at: block.location) }
        case .array(let array)? where array.items.isEmpty:
            if let inverse = block.inverse { try runSection(inverse, scope.context, scope, at: block.location) }
        case .array?:
            try each(value, block.program, block.inverse, scope, at: block.location)
        case let other?:
            if let program = block.program { try runSection(program, other, scope, at: block.location) }
        }
    }

    private func runSection(_ program: CompiledProgram, _ context: TemplateValue?, _ scope: Scope, at location: SourceLocation) throws {
        try render(program, context: context, from: scope, frame: nil, blockParameters: [], at: location)
    }

    /// `each` over an array (index keys) or an object (its keys in order); the inverse when empty.
    func each(_ value: TemplateValue?, _ program: CompiledProgram?, _ inverse: CompiledProgram?, _ scope: Scope,
              at location: SourceLocation) throws {
        switch value {
        case .array(let array)? where !array.items.isEmpty:
            guard let program else { return }
            let items = array.items
            try iterate(program, count: items.count, scope, at: location) { items[$0] } key: { .number(Double($0)) }
        case .object(let object)? where !object.keys.isEmpty:
            guard let program else { return }
            let keys = object.keys, values = object.values
            try iterate(program, count: keys.count, scope, at: location) { values[$0] } key: { .string(keys[$0]) }
        default:
            if let inverse { try runSameContext(inverse, scope, at: location) }
        }
    }

    /// Runs `program` once per item, changing only what each iteration needs in one scope.
    @inline(__always)
    private func iterate(_ program: CompiledProgram, count: Int, _ scope: Scope, at location: SourceLocation,
                         item: (Int) -> TemplateValue, key: (Int) -> TemplateValue) throws {
        try enter(scope, at: location)
        defer { nesting -= 1 }
        var inner = scope
        let usesDepths = scope.template.usesDepths
        let needsFrames = program.needsDataFrames
        let blockParams = program.blockParams
        for index in 0..<count {
            try step(scope, at: location)
            let value = item(index)
            inner.context = value
            if usesDepths {
                inner.depths = TemplateValue.looseEquals(value, scope.depths.value) ? scope.depths : DepthNode(value, parent: scope.depths)
            }
            if needsFrames {
                let iteration = DataFrame.Iteration(key: key(index), index: index, first: index == 0, last: index == count - 1)
                inner.data = DataFrame.child(of: scope.data, iteration: iteration, values: nil)
            }
            if let blockParams {
                inner.blockParams = BlockParamFrame(names: blockParams, values: [value, key(index)], parent: scope.blockParams)
            }
            try run(program, inner, outside: scope.depths)
        }
    }

    // MARK: Calls

    /// A mustache or sub-expression that may be a helper call.
    private func evaluate(_ call: CompiledCall, _ scope: Scope) throws -> HelperResult {
        if let helper = call.helper {
            return try callHelper(helper, call, scope, program: nil, inverse: nil, isBlock: false)
        }
        if call.kind == .helper { return try missingHelper(call, scope) }
        return .value(try resolve(call.path, scope, strictTerminal: true))
    }

    private func helperBlock(_ block: HelperBlock, _ scope: Scope) throws {
        let call = block.call
        let result: HelperResult
        if let helper = call.helper {
            result = try callHelper(helper, call, scope, program: block.program, inverse: block.inverse, isBlock: true)
        } else {
            result = try missingHelper(call, scope)
        }
        switch result {
        case .html(let text): out.pointee.append(text)
        case .value(let value): write(value, escaped: false)
        }
    }

    /// A helper call with no helper: handlebars' `helperMissing` rules.
    private func missingHelper(_ call: CompiledCall, _ scope: Scope) throws -> HelperResult {
        if call.path.isSimple, call.name == "helperMissing" || call.name == "blockHelperMissing" {
            throw error("'\(call.name)' is handlebars' hook for missing helpers; a template cannot call it", at: call.location, in: scope.template)
        }
        let value = try resolve(call.path, scope, strictTerminal: true)
        if let value, !(value.isNull) {
            throw error("'\(call.path.original)' is not a helper (it is a value in the data)", at: call.location, in: scope.template)
        }
        if strict || !call.params.isEmpty {
            throw error("Missing helper: \"\(call.path.original)\"", at: call.location, in: scope.template)
        }
        for param in call.params { _ = try self.value(of: param, scope) }
        for (_, expression) in call.hash { _ = try self.value(of: expression, scope) }
        return .none
    }

    private func callHelper(_ helper: Helper, _ call: CompiledCall, _ scope: Scope, program: CompiledProgram?,
                            inverse: CompiledProgram?, isBlock: Bool) throws -> HelperResult {
        var params: [TemplateValue?] = []
        params.reserveCapacity(call.params.count)
        for param in call.params { params.append(try value(of: param, scope)) }
        var hash: [(String, TemplateValue?)] = []
        if !call.hash.isEmpty {
            hash.reserveCapacity(call.hash.count)
            for (key, expression) in call.hash { hash.append((key, try value(of: expression, scope))) }
        }
        let helperCall = HelperCall(name: call.path.original, arguments: params, hash: hash, context: scope.context, isBlock: isBlock,
                                    renderer: self, scope: scope, program: program, inverseProgram: inverse, location: call.location)
        do {
            return try helper(helperCall)
        } catch let error as TemplateError {
            throw error
        } catch {
            throw self.error("helper '\(call.path.original)' failed: \(error)", at: call.location, in: scope.template)
        }
    }

    @inline(__always)
    private func value(of expression: CompiledExpression, _ scope: Scope) throws -> TemplateValue? {
        switch expression {
        case .literal(let value): return value
        case .path(let ref): return try resolve(ref, scope, strictTerminal: false)
        case .call(let call): return try evaluate(call, scope).asValue
        }
    }

    // MARK: Paths

    /// Looks a path up like handlebars' compiled code. Outside strict mode a missing path is
    /// `undefined`. In strict mode, reading through `null`/`undefined` is an error (JavaScript's
    /// TypeError), and so is a missing last part when `strictTerminal` (the tag's own path).
    @inline(__always)
    func resolve(_ ref: PathRef, _ scope: Scope, strictTerminal: Bool) throws -> TemplateValue? {
        if !strict {
            switch ref.access {
            case .context:
                return scope.context
            case .contextProperty(let name):
                switch scope.context {
                case .object(let object)?: return object[name]
                case nil, .null?: return scope.context
                case let other?: return other.property(name)
                }
            case .general:
                break
            }
        }
        return try resolveAnyPath(ref, scope, strictTerminal: strictTerminal)
    }

    private func resolveAnyPath(_ ref: PathRef, _ scope: Scope, strictTerminal: Bool) throws -> TemplateValue? {
        let path = ref.path
        var parts = ref.parts[...]
        if ref.isBlockParam, let first = parts.first {
            parts = parts.dropFirst()
            return try walk(scope.blockParams?.value(first), parts, strictTerminal: false, path: path, scope)
        }
        if path.data {
            var frame: DataFrame? = scope.data
            for _ in 0..<path.depth { frame = frame?.parent }
            guard let first = parts.first else { return nil }
            guard let frame else {
                if strict { throw missing(path, first, scope) }
                return nil
            }
            var found = frame.property(first)
            if first == "partial-block", let partialBlock = frame.partialBlock {
                found = .some(try renderedPartialBlock(partialBlock, scope, at: path.location))
            }
            if strict && found == nil && parts.count == 1 && strictTerminal { throw missing(path, first, scope) }
            return try walk(found ?? nil, parts.dropFirst(), strictTerminal: strictTerminal, path: path, scope)
        }
        let base = path.depth == 0 ? scope.context : scope.depths.at(path.depth) ?? nil
        return try walk(base, parts, strictTerminal: strictTerminal, path: path, scope)
    }

    private func walk(_ start: TemplateValue?, _ parts: ArraySlice<String>, strictTerminal: Bool,
                      path: PathExpression, _ scope: Scope) throws -> TemplateValue? {
        var current = start
        var remaining = parts.count
        for part in parts {
            remaining -= 1
            if strict {
                if remaining == 0 && strictTerminal {
                    guard let base = current, !base.isJSFalsy, base.isObjectLike, base.hasProperty(part) else {
                        throw missing(path, part, scope)
                    }
                    current = base.property(part)
                } else {
                    guard let base = current, !base.isNull else { throw missing(path, part, scope) }
                    current = base.property(part)
                }
            } else {
                guard let base = current, !base.isNull else { return current }
                current = base.property(part)
            }
        }
        return current
    }

    private func missing(_ path: PathExpression, _ part: String, _ scope: Scope) -> TemplateError {
        error("'\(path.original)' is missing ('\(part)' is not defined) in strict mode", at: path.location, in: scope.template, kind: .missingPath)
    }

    // MARK: Partials

    /// `{{> name}}` and `{{#> name}}…{{/name}}`, as handlebars' `invokePartial`: inline partials
    /// in force come first, then the engine's; a partial block renders its block when neither has
    /// the name, and hands it to the partial as `@partial-block` otherwise.
    private func partial(_ call: PartialCall, scope: Scope) throws {
        var context = try call.context.map { try value(of: $0, scope) } ?? scope.context
        if !call.hash.isEmpty {
            var pairs: [(String, TemplateValue)] = []
            switch context {
            case .object(let object)?: pairs = zip(object.keys, object.values).map { ($0, $1) }
            case .array(let array)?: pairs = array.items.enumerated().map { (String($0.offset), $0.element) }
            case .string(let string)?:
                // `Utils.extend` copies a string's indices: one UTF-16 unit each, as JavaScript indexes it.
                pairs = string.utf16.enumerated().map { (String($0.offset), .string(String(decoding: [$0.element], as: UTF16.self))) }
            default: break
            }
            for (key, expression) in call.hash { pairs.append((key, try value(of: expression, scope) ?? .null)) }
            try step(scope, at: call.location, count: pairs.count)
            context = .dictionary(pairs)
        }
        let found = call.name == "@partial-block" ? nil : try findPartial(call.name, scope)
        var data = scope.data
        var partials = scope.partials
        var ownBlock: PartialBlock?
        if let block = call.block {
            let partialBlock = PartialBlock(program: block, scope: scope)
            data = DataFrame.child(of: scope.data, partialBlock: partialBlock)
            if !block.inlinePartials.isEmpty {
                partials = InlinePartials(block.inlinePartials, template: scope.template, depths: scope.depths, parent: partials)
            }
            ownBlock = partialBlock
        }
        var inner: Scope
        let program: CompiledProgram
        let outside: DepthNode?
        if let found {
            inner = scope
            inner.context = context
            inner.template = found.template
            inner.blockParams = nil
            inner.data = data
            inner.partials = partials
            inner.depths = Self.push(context, on: found.depths)
            program = found.program
            outside = found.depths
        } else {
            let partialBlock = call.name == "@partial-block" ? scope.data.partialBlock : ownBlock
            guard let partialBlock else { throw error("The partial \(call.name) could not be found", at: call.location, in: scope.template) }
            inner = blockScope(partialBlock, context: context, data: data)
            program = partialBlock.program
            outside = partialBlock.scope.depths
        }
        try enter(scope, at: call.location)
        defer { nesting -= 1 }
        let start = out.pointee.count
        try run(program, inner, outside: outside)
        if !call.indent.isEmpty { out.pointee.indentLines(from: start, with: call.indent) }
    }

    /// A partial by name: an inline partial in force, else the engine's. A file partial starts
    /// with only its own context for `../` (handlebars passes the caller's only in compat mode);
    /// an inline partial reads `../` where it is defined.
    private func findPartial(_ name: String, _ scope: Scope) throws -> InlinePartials.Found? {
        if let inline = scope.partials?.lookup(name) { return inline }
        guard let template = try engine.partial(named: name) else { return nil }
        return InlinePartials.Found(program: template.program, template: template.info, depths: nil)
    }

    /// `depths` with `context` on top, unless it is already the top (handlebars' `context != depths[0]`).
    private static func push(_ context: TemplateValue?, on depths: DepthNode?) -> DepthNode {
        if let depths, TemplateValue.looseEquals(context, depths.value) { return depths }
        return DepthNode(context, parent: depths)
    }

    /// `{{@partial-block}}` read as a value: handlebars calls the block (a function to it) with no
    /// context and uses the text, so `{{#if @partial-block}}` is false for a block that renders nothing.
    private func renderedPartialBlock(_ partialBlock: PartialBlock, _ scope: Scope, at location: SourceLocation) throws -> TemplateValue {
        try enter(scope, at: location)
        defer { nesting -= 1 }
        let inner = blockScope(partialBlock, context: nil, data: DataFrame(root: nil, parent: nil))
        return .string(try capture { try run(partialBlock.program, inner, outside: partialBlock.scope.depths) })
    }

    /// The scope a partial block's content renders in: the call's, with `context` pushed, and the
    /// data frame of where it is rendered with the call's own `@partial-block` restored.
    private func blockScope(_ partialBlock: PartialBlock, context: TemplateValue?, data: DataFrame) -> Scope {
        var inner = partialBlock.scope
        inner.context = context
        if inner.template.usesDepths && !TemplateValue.looseEquals(context, inner.depths.value) {
            inner.depths = DepthNode(context, parent: inner.depths)
        }
        inner.data = DataFrame.child(of: data, partialBlock: partialBlock.scope.data.partialBlock)
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
