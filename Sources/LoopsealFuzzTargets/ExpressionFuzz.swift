import LoopsealTemplates
import LoopsealWorkflows
import LoopsealValue

/// `WorkflowExpression` (the inside of `${{ }}`) and `ExpressionInterpolation` (strings that
/// hold `${{ }}`) on any text, evaluated against a fixed context. Parsing and evaluating the
/// same source twice must give the same answer.
public enum ExpressionFuzz {
    static let context: TemplateValue = .dictionary([
        ("state", .dictionary([
            ("secretKeys", .list([.dictionary([("key", .string("API_KEY")), ("hasValue", .bool(true))])])),
            ("count", .number(3)), ("name", .string("acme")), ("empty", .string("")), ("nothing", .null),
        ])),
        ("args", .dictionary([("value", .string("42")), ("list", .list([.number(1), .number(2)]))])),
        ("result", .dictionary([("data", .list([])), ("success", .bool(false))])),
        ("runtime", .dictionary([("transition", .dictionary([("payload", .dictionary([("keys", .list([.string("A")]))]))]))])),
    ])

    /// Runs one input.
    public static func run(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let length = text.count
        do {
            let expression = try WorkflowExpression(text)
            FuzzCheck.require(expression.paths.allSatisfy { !$0.isEmpty }, "an empty read path")
            let first = try expression.evaluate(context)
            let second = try WorkflowExpression(text).evaluate(context)
            FuzzCheck.require(printed(first) == printed(second), "evaluating the same expression twice differs")
        } catch {
            FuzzCheck.require(error.offset >= 0 && error.offset <= length, "error offset \(error.offset) outside the source")
        }
        if let whole = ExpressionInterpolation.wholeExpression(text) {
            _ = try? WorkflowExpression(whole).evaluate(context)
        }
        do {
            _ = try ExpressionInterpolation.spans(in: text)
            _ = try ExpressionInterpolation.interpolate(text, context: context)
        } catch {
            FuzzCheck.require(error.offset >= 0 && error.offset <= length, "error offset \(error.offset) outside the text")
        }
    }

    static func printed(_ value: TemplateValue?) -> String {
        value.map(\.javaScriptString) ?? "undefined"
    }
}
