/// Where rendering is: the context, the `../` chain, the `@data` frame and block parameters.
struct Scope {
    var context: TemplateValue?
    var depths: DepthNode
    var data: DataFrame
    var blockParams: BlockParamFrame?
    var template: TemplateInfo
    var nesting: Int
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

/// A `@data` frame: `@index`, `@key`, `@first`, `@last`, `@root`, and `@../` to the parent.
final class DataFrame: Sendable {
    let values: [String: TemplateValue]
    let root: TemplateValue?
    let parent: DataFrame?
    init(values: [String: TemplateValue], root: TemplateValue?, parent: DataFrame?) {
        self.values = values
        self.root = root
        self.parent = parent
    }

    func property(_ name: String) -> TemplateValue?? {
        if name == "root" { return .some(root) }
        if let value = values[name] { return .some(value) }
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
struct TemplateInfo {
    var name: String
    /// handlebars passes its `../` chain into partials only when the caller uses `../`.
    var usesDepths: Bool
}

/// Renders compiled programs with handlebars.js' runtime semantics.
final class Renderer {
    let engine: TemplateEngine
    private static let maxNesting = 400

    init(engine: TemplateEngine) { self.engine = engine }

    private var currentTemplate = ""

    func error(_ message: String, at location: SourceLocation, kind: TemplateError.Kind = .render) -> TemplateError {
        TemplateError(kind: kind, template: currentTemplate, line: location.line, column: location.column, message: message)
    }

    /// Renders a whole template with `context` as its root.
    func render(_ template: Template, context: TemplateValue?) throws -> String {
        let scope = Scope(context: context, depths: DepthNode(context, parent: nil),
                          data: DataFrame(values: [:], root: context, parent: nil), blockParams: nil,
                          template: TemplateInfo(name: template.name, usesDepths: template.usesDepths), nesting: 0)
        var out = ""
        try run(template.program, scope: scope, into: &out)
        return out
    }

    /// Renders `program` for a helper's `fn`/`inverse`, pushing context, data and block params.
    func render(_ program: CompiledProgram, context: TemplateValue?, from scope: Scope,
                data: [String: TemplateValue]?, blockParameters: [TemplateValue?]) throws -> String {
        var inner = scope
        inner.context = context
        if !TemplateValue.looseEquals(context, scope.depths.value) {
            inner.depths = DepthNode(context, parent: scope.depths)
        }
        if let data { inner.data = DataFrame(values: data, root: scope.data.root, parent: scope.data) }
        if let names = program.blockParams {
            inner.blockParams = BlockParamFrame(names: names, values: blockParameters, parent: scope.blockParams)
        }
        inner.nesting += 1
        guard inner.nesting < Self.maxNesting else {
            throw error("blocks or partials nested more than \(Self.maxNesting) deep (a partial that includes itself?)", at: SourceLocation(line: 1, column: 1))
        }
        var out = ""
        try run(program, scope: inner, into: &out)
        return out
    }

    private func run(_ program: CompiledProgram, scope: Scope, into out: inout String) throws {
        let saved = currentTemplate
        currentTemplate = scope.template.name
        defer { currentTemplate = saved }
        for node in program.nodes {
            switch node {
            case .text(let text):
                out += text
            case .mustache(let call, let escaped):
                let result = try evaluate(call, scope: scope)
                switch result {
                case .html(let text): out += text
                case .value(let value?):
                    if case .null = value { continue }
                    if escaped { HTMLEscape.append(value.javaScriptString, to: &out) } else { out += value.javaScriptString }
                case .value(nil): continue
                }
            case .block(let call, let program, let inverse):
                try block(call, program: program, inverse: inverse, scope: scope, into: &out)
            case .partial(let name, let contextExpression, let hash, let indent, let location):
                try partial(name, contextExpression, hash, indent, location, scope: scope, into: &out)
            }
        }
    }

    // MARK: Calls

    /// A mustache or sub-expression.
    private func evaluate(_ call: CompiledCall, scope: Scope) throws -> HelperResult {
        switch call.kind {
        case .simple:
            return .value(try resolve(call.path, scope: scope, strictTerminal: true, location: call.path.path.location))
        case .helper:
            return try invoke(call, scope: scope, program: nil, inverse: nil, isBlock: false)
        case .ambiguous:
            if let helper = engine.helper(named: call.name) {
                return try callHelper(helper, call, scope: scope, program: nil, inverse: nil, isBlock: false)
            }
            return .value(try resolve(call.path, scope: scope, strictTerminal: true, location: call.path.path.location))
        }
    }

    private func block(_ call: CompiledCall, program: CompiledProgram?, inverse: CompiledProgram?, scope: Scope, into out: inout String) throws {
        let value: TemplateValue?
        switch call.kind {
        case .helper:
            append(try invoke(call, scope: scope, program: program, inverse: inverse, isBlock: true), to: &out)
            return
        case .ambiguous:
            if let helper = engine.helper(named: call.name) {
                append(try callHelper(helper, call, scope: scope, program: program, inverse: inverse, isBlock: true), to: &out)
                return
            }
            value = try resolve(call.path, scope: scope, strictTerminal: true, location: call.path.path.location)
        case .simple:
            value = try resolve(call.path, scope: scope, strictTerminal: true, location: call.path.path.location)
        }
        let helperCall = HelperCall(name: call.path.path.original, arguments: [value], hash: [], context: scope.context, isBlock: true,
                                    renderer: self, scope: scope, program: program, inverseProgram: inverse, location: call.location)
        switch value {
        case .bool(true)?: out += try helperCall.fn(scope.context)
        case nil, .null?, .bool(false)?: out += try helperCall.inverse(scope.context)
        case .array(let array)?:
            if array.items.isEmpty { out += try helperCall.inverse(scope.context) } else {
                append(try BuiltinHelpers.eachHelper(helperCall), to: &out)
            }
        case let other?: out += try helperCall.fn(other)
        }
    }

    private func append(_ result: HelperResult, to out: inout String) {
        switch result {
        case .html(let text): out += text
        case .value(let value?):
            if case .null = value { return }
            out += value.javaScriptString
        case .value(nil): return
        }
    }

    /// A definite helper call: a registered helper, else handlebars' `helperMissing` rules.
    private func invoke(_ call: CompiledCall, scope: Scope, program: CompiledProgram?, inverse: CompiledProgram?, isBlock: Bool) throws -> HelperResult {
        if call.path.path.isSimple, !call.path.isBlockParam, let helper = engine.helper(named: call.name) {
            return try callHelper(helper, call, scope: scope, program: program, inverse: inverse, isBlock: isBlock)
        }
        let value = try resolve(call.path, scope: scope, strictTerminal: true, location: call.path.path.location)
        if let value, !(value.isNull) {
            throw error("'\(call.path.path.original)' is not a helper (it is a value in the data)", at: call.location)
        }
        if engine.strict || !call.params.isEmpty {
            throw error("Missing helper: \"\(call.path.path.original)\"", at: call.location)
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
        let helperCall = HelperCall(name: call.path.path.original, arguments: params, hash: hash, context: scope.context, isBlock: isBlock,
                                    renderer: self, scope: scope, program: program, inverseProgram: inverse, location: call.location)
        do {
            return try helper(helperCall)
        } catch let error as TemplateError {
            throw error
        } catch {
            throw self.error("helper '\(call.path.path.original)' failed: \(error)", at: call.location)
        }
    }

    private func value(of expression: CompiledExpression, scope: Scope) throws -> TemplateValue? {
        switch expression {
        case .literal(let value): return value
        case .path(let ref): return try resolve(ref, scope: scope, strictTerminal: false, location: ref.path.location)
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
        var parts = path.parts[...]
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

    private func partial(_ name: String, _ contextExpression: CompiledExpression?, _ hash: [(String, CompiledExpression)],
                         _ indent: String, _ location: SourceLocation, scope: Scope, into out: inout String) throws {
        guard let template = try engine.partial(named: name) else {
            throw error("The partial \(name) could not be found", at: location)
        }
        var context = try contextExpression.map { try value(of: $0, scope: scope) } ?? scope.context
        if !hash.isEmpty {
            var pairs: [(String, TemplateValue)] = []
            switch context {
            case .object(let object)?: pairs = zip(object.keys, object.values).map { ($0, $1) }
            case .array(let array)?: pairs = array.items.enumerated().map { (String($0.offset), $0.element) }
            default: break
            }
            for (key, expression) in hash { pairs.append((key, try value(of: expression, scope: scope) ?? .null)) }
            context = .dictionary(pairs)
        }
        var inner = scope
        inner.context = context
        inner.template = TemplateInfo(name: template.name, usesDepths: template.usesDepths)
        inner.blockParams = nil
        if scope.template.usesDepths {
            if !TemplateValue.looseEquals(context, scope.depths.value) {
                inner.depths = DepthNode(context, parent: scope.depths)
            }
        } else {
            inner.depths = DepthNode(context, parent: nil)
        }
        inner.nesting += 1
        guard inner.nesting < Self.maxNesting else {
            throw error("partials nested more than \(Self.maxNesting) deep (a partial that includes itself?)", at: location)
        }
        var rendered = ""
        try run(template.program, scope: inner, into: &rendered)
        if indent.isEmpty {
            out += rendered
        } else {
            // Split on U+000A itself: "\r\n" is one Character in Swift but two in JavaScript.
            let lines = rendered.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
            for (i, line) in lines.enumerated() {
                if i > 0 { out += "\n" }
                if line.isEmpty && i + 1 == lines.count { break }
                out += indent
                out += String(String.UnicodeScalarView(line))
            }
        }
    }
}

extension TemplateValue {
    var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}
