/// How Loopseal writes a JSON string literal, everywhere it writes JSON (template values, run
/// state, API bodies, the `json` sync format): `"`, `\` and control characters escaped, and
/// also DEL, U+2028 and U+2029, so the text is safe for strict parsers, JavaScript and terminals.
public enum JSONString {
    /// Appends `text` as a quoted JSON string to `out`.
    public static func append(_ text: String, to out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                switch scalar.value {
                case 0x00...0x1F, 0x7F, 0x2028, 0x2029:
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                default:
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    /// `text` as a quoted JSON string.
    public static func quoted(_ text: String) -> String {
        var out = ""
        append(text, to: &out)
        return out
    }
}
