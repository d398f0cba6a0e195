import LoopsealTemplates
import LoopsealValue

/// Finds `${{ … }}` spans in a string.
///
/// A span ends at the first `}}` outside a quoted string, so `${{ a == '}}' }}` is one span.
/// Inner sources are returned without surrounding whitespace.
public enum ExpressionInterpolation {
    /// If the whole (trimmed) string is exactly one `${{ expr }}`, returns the expression source
    /// (trimmed); otherwise, including when the string is malformed, `nil`.
    public static func wholeExpression(_ text: String) -> String? {
        let trimmed = text.trimmingExpressionWhitespace()
        guard trimmed.hasPrefix("${{"),
              let spans = try? spans(in: trimmed),
              spans.count == 1,
              let only = spans.first,
              only.range.lowerBound == trimmed.startIndex,
              only.range.upperBound == trimmed.endIndex else { return nil }
        return only.source
    }

    /// All spans: the range of each full `${{…}}` in `text` and its inner source (trimmed).
    /// An unterminated `${{` is an error whose offset is the character offset of that `${{`.
    public static func spans(in text: String) throws(ExpressionError) -> [(range: Range<String.Index>, source: String)] {
        try locate(in: text).map { (range: $0.range, source: $0.source) }
    }

    /// Replaces every span by the JavaScript string of its value (`undefined` and `null` become "").
    /// Parse errors are reported with offsets into `text`.
    public static func interpolate(_ text: String, context: TemplateValue) throws(ExpressionError) -> String {
        let found = try locate(in: text)
        guard !found.isEmpty else { return text }
        var output = ""
        var cursor = text.startIndex
        for span in found {
            output += text[cursor..<span.range.lowerBound]
            let expression: WorkflowExpression
            do {
                expression = try WorkflowExpression(span.source)
            } catch {
                throw ExpressionError(offset: span.sourceOffset + error.offset, message: error.message)
            }
            let value = try expression.evaluate(context)
            switch value {
            case nil, .null?: break
            case let value?: output += value.javaScriptString
            }
            cursor = span.range.upperBound
        }
        output += text[cursor...]
        return output
    }

    private struct Span {
        var range: Range<String.Index>
        var source: String
        /// Character offset in the text where `source` begins.
        var sourceOffset: Int
    }

    private static func locate(in text: String) throws(ExpressionError) -> [Span] {
        var result: [Span] = []
        var index = text.startIndex
        var offset = 0
        while index < text.endIndex {
            guard text[index...].hasPrefix("${{") else {
                index = text.index(after: index)
                offset += 1
                continue
            }
            let openIndex = index, openOffset = offset
            index = text.index(index, offsetBy: 3)
            offset += 3
            let innerStart = index, innerOffset = offset
            var quote: Character?
            var closed: Range<String.Index>?
            while index < text.endIndex {
                let c = text[index]
                if let q = quote {
                    if c == "\\" {
                        index = text.index(after: index)
                        offset += 1
                        if index == text.endIndex { break }
                    } else if c == q {
                        quote = nil
                    }
                } else if c == "'" || c == "\"" {
                    quote = c
                } else if text[index...].hasPrefix("}}") {
                    closed = index..<text.index(index, offsetBy: 2)
                    break
                }
                index = text.index(after: index)
                offset += 1
            }
            guard let close = closed else {
                throw ExpressionError(offset: openOffset, message: "unterminated '${{': expected '}}' to close it")
            }
            let inner = text[innerStart..<close.lowerBound]
            let leading = inner.prefix(while: \.isWhitespace).count
            result.append(Span(range: openIndex..<close.upperBound,
                               source: String(inner).trimmingExpressionWhitespace(),
                               sourceOffset: innerOffset + leading))
            index = close.upperBound
            offset += 2
        }
        return result
    }
}
