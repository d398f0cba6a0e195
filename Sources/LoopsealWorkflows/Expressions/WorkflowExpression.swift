import LoopsealTemplates
import LoopsealValue

/// A parsed `${{ … }}` expression.
///
/// The language is a JavaScript subset: literals (numbers, quoted strings, `true`, `false`,
/// `null`, `undefined`), paths (`state.secretKeys`, `a["b c"]`, `a[0]`, `a[b.c]`, `a?.b`,
/// `items.length`), prefix `! - +`, `* / %`, `+ -`, `< <= > >=`, `== != === !==`, `&&`, `||`,
/// `??`, `c ? a : b` and parentheses, with JavaScript precedence and semantics, except:
/// - reading a property of `null` or `undefined` gives `undefined` instead of throwing;
/// - an unknown root name is `undefined`;
/// - `==` and `===` compare arrays and objects by structure, and an array or object never
///   loosely equals a primitive;
/// - function calls, assignment, and array or object literals are not supported.
public struct WorkflowExpression: Sendable {
    /// The expression text, without the `${{` `}}` delimiters.
    public let source: String
    private let root: ExpressionNode
    private let readPaths: [[String]]

    /// Parses the inside of `${{ }}` (without the delimiters). Sources over 10,000 characters or
    /// nested more than 64 levels deep are rejected.
    public init(_ source: String) throws(ExpressionError) {
        self.source = source
        var parser = try ExpressionParser(source)
        root = try parser.parse()
        var collected: [[String]] = []
        root.collectPaths(into: &collected)
        var seen = Set<[String]>()
        readPaths = collected.filter { seen.insert($0).inserted }
    }

    /// Evaluates the expression with `context`'s properties as root names. Returns `nil` for
    /// JavaScript's `undefined` (e.g. a missing path). Evaluation itself does not currently fail.
    public func evaluate(_ context: TemplateValue) throws(ExpressionError) -> TemplateValue? {
        ExpressionEvaluator(context: context).evaluate(root)
    }

    /// Every path the expression reads, in source order without duplicates, e.g.
    /// `[["state", "secretKeys"], ["args", "value"]]`. A path is a root name followed by the
    /// literal property names after it (`a["b"][0]` is `["a", "b", "0"]`); a computed bracket
    /// ends it (`a[b.c].d` reads `["a"]` and `["b", "c"]`).
    public var paths: [[String]] { readPaths }
}
