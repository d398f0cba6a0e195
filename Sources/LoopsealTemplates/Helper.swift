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
        guard let program else { return "" }
        return try renderer.render(program, context: context, from: scope, data: data, blockParameters: blockParameters)
    }

    /// Renders the `{{else}}` part with `context`.
    public func inverse(_ context: TemplateValue?) throws -> String {
        guard let inverseProgram else { return "" }
        return try renderer.render(inverseProgram, context: context, from: scope, data: nil, blockParameters: [])
    }

    /// An error for this call, with the template position; helpers throw it for bad arguments.
    public func error(_ message: String) -> TemplateError {
        renderer.error(message, at: location)
    }
}

/// The helpers every engine has, written against the same ``Helper`` API as custom ones.
enum BuiltinHelpers {
    static let all: [String: Helper] = [
        "if": ifHelper, "unless": unlessHelper, "with": withHelper, "each": eachHelper,
        "lookup": lookupHelper, "log": { _ in .none },
        "helperMissing": helperMissing, "blockHelperMissing": { _ in .none },
    ]

    static let ifHelper: Helper = { call in
        guard call.arguments.count == 1 else { throw call.error("#if requires exactly one argument") }
        return .html(try conditional(call.arguments[0], call) ? call.fn(call.context) : call.inverse(call.context))
    }

    static let unlessHelper: Helper = { call in
        guard call.arguments.count == 1 else { throw call.error("#unless requires exactly one argument") }
        return .html(try conditional(call.arguments[0], call) ? call.inverse(call.context) : call.fn(call.context))
    }

    private static func conditional(_ value: TemplateValue?, _ call: HelperCall) -> Bool {
        guard let value else { return false }
        if call.hash("includeZero")?.isTruthy == true, case .number(let n) = value, n == 0 { return true }
        return value.isTruthy
    }

    static let withHelper: Helper = { call in
        guard call.arguments.count == 1 else { throw call.error("#with requires exactly one argument") }
        guard let value = call.arguments[0], !value.isEmpty else { return .html(try call.inverse(call.context)) }
        return .html(try call.fn(value, blockParameters: [value]))
    }

    static let eachHelper: Helper = { call in
        guard !call.arguments.isEmpty else { throw call.error("Must pass iterator to #each") }
        guard call.arguments.count == 1 else { throw call.error("#each takes exactly one argument") }
        var out = ""
        var count = 0
        switch call.arguments[0] {
        case .array(let array)?:
            for (index, item) in array.items.enumerated() {
                out += try call.fn(item, data: ["key": .number(Double(index)), "index": .number(Double(index)),
                                                "first": .bool(index == 0), "last": .bool(index == array.items.count - 1)],
                                   blockParameters: [item, .number(Double(index))])
            }
            count = array.items.count
        case .object(let object)?:
            for (index, key) in object.keys.enumerated() {
                let item = object.values[index]
                out += try call.fn(item, data: ["key": .string(key), "index": .number(Double(index)),
                                                "first": .bool(index == 0), "last": .bool(index == object.keys.count - 1)],
                                   blockParameters: [item, .string(key)])
            }
            count = object.keys.count
        default:
            break
        }
        return .html(count == 0 ? try call.inverse(call.context) : out)
    }

    static let lookupHelper: Helper = { call in
        guard call.arguments.count == 2 else { return .none }
        guard let object = call.arguments[0], !object.isJSFalsy else { return .value(call.arguments[0]) }
        guard let field = call.arguments[1] else { return .value(object.property("undefined")) }
        return .value(object.property(field.javaScriptString))
    }

    static let helperMissing: Helper = { call in
        if call.arguments.isEmpty { return .none }
        throw call.error("Missing helper: \"\(call.name)\"")
    }
}
