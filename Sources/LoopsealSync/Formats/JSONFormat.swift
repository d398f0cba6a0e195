/// Renders one JSON object, `{"KEY": "value", ...}`, one member per line.
enum JSONFormat {
    /// Renders all entries as a JSON object ending in "\n", or throws for the first
    /// unrepresentable value.
    static func render(_ entries: [EnvEntry]) throws(FormatError) -> String {
        guard !entries.isEmpty else { return "{}\n" }
        var members: [String] = []
        members.reserveCapacity(entries.count)
        for entry in entries {
            let value = try EntryText.value(of: entry, format: .json)
            members.append("  " + quoted(entry.key) + ": " + quoted(value))
        }
        return "{\n" + members.joined(separator: ",\n") + "\n}\n"
    }

    /// A JSON string literal. Control characters, DEL, U+2028 and U+2029 are escaped so
    /// the output is safe for strict parsers and JavaScript alike.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{08}": result += "\\b"
            case "\u{0C}": result += "\\f"
            default:
                switch scalar.value {
                case 0x00...0x1F, 0x7F, 0x2028, 0x2029:
                    result += "\\u" + HexDigits.padded(scalar.value, width: 4)
                default:
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
