import LoopsealTemplates
import LoopsealValue

/// A tool argument or assigned value as written in YAML, ready to evaluate against
/// `{state, args, result, runtime}`.
public indirect enum ArgValue: Sendable {
    /// A value with nothing to evaluate, and where it was written.
    case constant(TemplateValue, Mark)
    /// A string: plain, one `${{ expression }}`, interpolated `${{ }}` spans, or a Handlebars template.
    case text(TextValue, Mark)
    case list([ArgValue], Mark)
    case object([(String, ArgValue)], Mark)

    /// Every text inside, for validation.
    var texts: [(TextValue, Mark)] {
        switch self {
        case .constant: return []
        case .text(let text, let mark): return [(text, mark)]
        case .list(let items, _): return items.flatMap(\.texts)
        case .object(let pairs, _): return pairs.flatMap { $0.1.texts }
        }
    }

    /// Where the value was written.
    public var mark: Mark {
        switch self {
        case .constant(_, let mark), .text(_, let mark), .list(_, let mark), .object(_, let mark): return mark
        }
    }

    /// The value under `key` when this is an object.
    func field(_ key: String) -> ArgValue? {
        guard case .object(let pairs, _) = self else { return nil }
        return pairs.last { $0.0 == key }?.1
    }
}

/// The forms a YAML string can take in a workflow.
public enum TextValue: Sendable {
    /// No `${{ }}` and no `{{ }}`.
    case plain(String)
    /// Exactly one `${{ expr }}`: evaluates to the expression's value, whatever its type.
    case expression(WorkflowExpression)
    /// Text with `${{ }}` spans: each is replaced by its value's text.
    case interpolated(String)
    /// Text with `{{ }}`: rendered by the Handlebars engine in strict mode.
    case template(String)

    /// Classifies `text`, parsing expressions; throws with the character offset of a problem.
    static func classify(_ text: String) throws(ExpressionError) -> TextValue {
        if let inner = ExpressionInterpolation.wholeExpression(text) {
            return .expression(try WorkflowExpression(inner))
        }
        if text.contains("${{") {
            for span in try ExpressionInterpolation.spans(in: text) { _ = try WorkflowExpression(span.source) }
            return .interpolated(text)
        }
        if text.contains("{{") { return .template(text) }
        return .plain(text)
    }
}
