/// The one-line text of a ``ConfigNode`` that a `workspace.yaml` signature covers
/// (docs/FORMAT.md §8, "The signed workspace file"): JSON with mapping pairs kept in file order
/// and any node allowed as a key. It holds exactly what the node holds (scalar text, list
/// order, pairs and their order) and nothing of how the file spells it (quotes, flow or block
/// style, indentation, comments, tags, anchors), so every byte a reader acts on is covered and
/// no formatting is. It is not `JSONString` (LoopsealValue), on purpose: these bytes are
/// fixed by the format and must not move when the JSON output does.
extension ConfigNode {
    /// The canonical text: a scalar as a JSON string, a list as `[a,b]`, a mapping as `{k:v,…}`.
    public var canonicalText: String {
        var text = ""
        appendCanonical(to: &text)
        return text
    }

    private func appendCanonical(to text: inout String) {
        switch self {
        case .scalar(let value, _):
            Self.appendQuoted(value, to: &text)
        case .sequence(let items, _):
            text += "["
            for (index, item) in items.enumerated() {
                if index > 0 { text += "," }
                item.appendCanonical(to: &text)
            }
            text += "]"
        case .mapping(let pairs, _):
            text += "{"
            for (index, pair) in pairs.enumerated() {
                if index > 0 { text += "," }
                pair.key.appendCanonical(to: &text)
                text += ":"
                pair.value.appendCanonical(to: &text)
            }
            text += "}"
        }
    }

    /// `"…"` with `"` and `\` escaped, the JSON short escapes for BS, TAB, LF, FF and CR,
    /// `\u00xx` (lower-case hex) for every other character below U+0020, and all else as is.
    static func appendQuoted(_ value: String, to text: inout String) {
        text += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\u{08}": text += "\\b"
            case "\t": text += "\\t"
            case "\n": text += "\\n"
            case "\u{0C}": text += "\\f"
            case "\r": text += "\\r"
            case "\u{00}"..."\u{1F}":
                let hex = String(scalar.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }
}
