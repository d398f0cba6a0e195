/// Renders a YAML block mapping of `"KEY": "value"` lines.
///
/// Keys and values are always double-quoted, so `Y`, `ON` or `null` stay strings, and
/// every character a YAML reader might fold, normalise or refuse (C0/C1 controls, DEL,
/// U+2028, U+2029, U+FEFF, U+FFFE, U+FFFF) is escaped. An empty mapping renders `{}`.
enum YAMLFormat {
    /// Longest quoted key written as an implicit key; YAML limits implicit keys to 1024
    /// characters, so longer ones use the explicit `? key` / `: value` form.
    static let implicitKeyLimit = 1000

    /// Renders all entries, or throws for the first unrepresentable value.
    static func render(_ entries: [EnvEntry]) throws(FormatError) -> String {
        guard !entries.isEmpty else { return "{}\n" }
        var output = ""
        for entry in entries {
            let value = try EntryText.value(of: entry, format: .yaml)
            let key = quoted(entry.key)
            if key.unicodeScalars.count <= implicitKeyLimit {
                output += key + ": " + quoted(value) + "\n"
            } else {
                output += "? " + key + "\n: " + quoted(value) + "\n"
            }
        }
        return output
    }

    /// A YAML double-quoted scalar that contains only printable, non-folding characters.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x5C: result += "\\\\"
            case 0x22: result += "\\\""
            case 0x00: result += "\\0"
            case 0x07: result += "\\a"
            case 0x08: result += "\\b"
            case 0x09: result += "\\t"
            case 0x0A: result += "\\n"
            case 0x0B: result += "\\v"
            case 0x0C: result += "\\f"
            case 0x0D: result += "\\r"
            case 0x1B: result += "\\e"
            case 0x85: result += "\\N"
            case 0x2028: result += "\\L"
            case 0x2029: result += "\\P"
            case 0x01...0x1F, 0x7F...0x9F:
                result += "\\x" + HexDigits.padded(scalar.value, width: 2)
            case 0xFEFF, 0xFFFE, 0xFFFF:
                result += "\\u" + HexDigits.padded(scalar.value, width: 4)
            default:
                result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
