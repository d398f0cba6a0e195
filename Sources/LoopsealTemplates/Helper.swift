import LoopsealValue
/// A helper: a Swift closure templates call by name (`{{name arg key=value}}` or as a block).
public typealias Helper = @Sendable (HelperCall) throws -> HelperResult

/// What a helper returns.
public enum HelperResult: Sendable {
    /// A value: HTML-escaped when a `{{…}}` prints it, passed on when used as an argument.
    case value(TemplateValue?)
    /// Markup printed as is (handlebars' `SafeString`, and what block helpers return).
    case html(String)

    /// Nothing (`undefined`).
    public static let none = HelperResult.value(nil)

    /// What the built-in block helpers return: their text is already in the output.
    static let written = HelperResult.html("")

    var asValue: TemplateValue? {
        switch self {
        case .value(let value): return value
        case .html(let text): return .string(text)
        }
    }
}

/// One invocation of a helper: its arguments, the current context and, for block helpers,
/// the ability to render the block (`fn`) or its `{{else}}` part (`inverse`).
public struct HelperCall {
    /// The name the template used.
    public let name: String
    /// Positional arguments; nil is `undefined`.
    public let arguments: [TemplateValue?]
    /// Hash arguments in template order.
    public let hash: [(String, TemplateValue?)]
    /// The current context (`this`).
    public let context: TemplateValue?
    /// True when called as a block (`{{#name}}…{{/name}}`).
    public let isBlock: Bool

    let renderer: Renderer
    let scope: Scope
    let program: CompiledProgram?
    let inverseProgram: CompiledProgram?
    let location: SourceLocation

    /// The hash argument `key`, if given.
    public func hash(_ key: String) -> TemplateValue? {
        hash.last { $0.0 == key }?.1 ?? nil
    }

    /// Renders the block with `context`. `data` adds `@` variables in a new data frame (as
    /// `each` does with `index`, `key`, `first`, `last`); `blockParameters` fill `as |…|`.
    public func fn(_ context: TemplateValue?, data: [String: TemplateValue]? = nil,
                   blockParameters: [TemplateValue?] = []) throws -> String {
        try renderer.capture {
            try appendFn(context, frame: data.map { DataFrame.child(of: scope.data, iteration: nil, values: $0) },
                         blockParameters: blockParameters)
        }
    }

    /// Renders the `{{else}}` part with `context`.
    public func inverse(_ context: TemplateValue?) throws -> String {
        try renderer.capture { try appendInverse(context) }
    }

    /// The built-ins' fast path: renders the block straight into the output. A helper that
    /// uses it returns `.html("")`, since its text is already in place.
    func appendFn(_ context: TemplateValue?, frame: DataFrame? = nil, blockParameters: [TemplateValue?] = []) throws {
        guard let program else { return }
        try renderer.render(program, context: context, from: scope, frame: frame, blockParameters: blockParameters, at: location)
    }

    /// `inverse`, straight into the output.
    func appendInverse(_ context: TemplateValue?) throws {
        guard let inverseProgram else { return }
        try renderer.render(inverseProgram, context: context, from: scope, frame: nil, blockParameters: [], at: location)
    }

    /// An error for this call, with the template position; helpers throw it for bad arguments.
    public func error(_ message: String) -> TemplateError {
        renderer.error(message, at: location, in: scope.template)
    }
}

/// The helpers every engine has, written against the same ``Helper`` API as custom ones.
enum BuiltinHelpers {
    static let all: [String: Helper] = [
        "if": ifHelper, "unless": unlessHelper, "with": withHelper, "each": eachHelper,
        "lookup": lookupHelper, "log": { _ in .none },
    ]

    static let ifHelper: Helper = { call in
        guard call.arguments.count == 1 else { throw call.error("#if requires exactly one argument") }
        if isTrue(call.arguments[0], includeZero: call.hash("includeZero")) { try call.appendFn(call.context) } else { try call.appendInverse(call.context) }
        return .written
    }

    static let unlessHelper: Helper = { call in
        guard call.arguments.count == 1 else { throw call.error("#unless requires exactly one argument") }
        if isTrue(call.arguments[0], includeZero: call.hash("includeZero")) { try call.appendInverse(call.context) } else { try call.appendFn(call.context) }
        return .written
    }

    /// `if`'s test: handlebars' truthiness, and 0 counts as true with a truthy `includeZero`.
    @inline(__always)
    static func isTrue(_ value: TemplateValue?, includeZero: TemplateValue?) -> Bool {
        guard let value else { return false }
        if case .number(let n) = value, n == 0 { return includeZero?.isTruthy == true }
        return value.isTruthy
    }

    static let withHelper: Helper = { call in
        guard call.arguments.count == 1 else { throw call.error("#with requires exactly one argument") }
        guard let value = call.arguments[0], !value.isEmpty else {
            try call.appendInverse(call.context)
            return .written
        }
        try call.appendFn(value, blockParameters: [value])
        return .written
    }

    static let eachHelper: Helper = { call in
        guard !call.arguments.isEmpty else { throw call.error("Must pass iterator to #each") }
        guard call.arguments.count == 1 else { throw call.error("#each takes exactly one argument") }
        try call.renderer.each(call.arguments[0], call.program, call.inverseProgram, call.scope, at: call.location)
        return .written
    }

    static let lookupHelper: Helper = { call in
        guard call.arguments.count == 2 else { return .none }
        guard let object = call.arguments[0], !object.isJSFalsy else { return .value(call.arguments[0]) }
        guard let field = call.arguments[1] else { return .value(object.property("undefined")) }
        return .value(object.property(field.javaScriptString))
    }
}
