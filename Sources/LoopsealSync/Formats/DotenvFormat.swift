/// Renders `KEY=value` lines that python-dotenv (1.x) reads back byte-exactly with
/// `dotenv_values(path, interpolate=False)`.
///
/// Each value is written in the first form python-dotenv decodes exactly:
/// - single quotes (`\` → `\\`, `'` → `\'`), the default;
/// - double quotes (`\` → `\\`, `"` → `\"`, CR → `\r`, LF → `\n`) when the value holds a
///   carriage return, because python-dotenv reads in text mode and turns a raw CR into LF;
/// - unquoted when the value ends in a backslash, since python-dotenv's quoted-value regex
///   pairs a trailing `\` with the closing quote. Such a value is only written when the
///   unquoted form is exact (no leading/trailing whitespace, no CR/LF, no leading quote,
///   no whitespace before `#`); otherwise rendering fails and suggests `json` or `shell`.
///
/// python-dotenv expands `${VAR}` when `interpolate=True` (its default) and has no escape
/// for it, so values containing `${` only round-trip when read with `interpolate=False`.
enum DotenvFormat {
    /// Renders all entries, one line each, or throws for the first unrepresentable value.
    static func render(_ entries: [EnvEntry]) throws(FormatError) -> String {
        var output = ""
        for entry in entries {
            let value = try EntryText.value(of: entry, format: .dotenv)
            output += entry.key + "=" + (try encode(value, key: entry.key)) + "\n"
        }
        return output
    }

    /// Chooses and applies the quoting for one value.
    static func encode(_ value: String, key: String) throws(FormatError) -> String {
        let scalars = value.unicodeScalars
        if scalars.last == "\\" {
            guard isExactUnquoted(scalars) else {
                throw .unrepresentable(
                    key: key, format: OutputFormat.dotenv.rawValue,
                    reason: "value ends with a backslash, which python-dotenv cannot read back"
                        + " from a quoted value, and it cannot be left unquoted"
                        + "; use --format json or --format shell")
            }
            return value
        }
        if scalars.contains("\r") {
            return doubleQuoted(scalars)
        }
        return singleQuoted(scalars)
    }

    /// `'...'` with `\` and `'` backslash-escaped.
    private static func singleQuoted(_ scalars: String.UnicodeScalarView) -> String {
        var result = "'"
        for scalar in scalars {
            switch scalar {
            case "\\": result += "\\\\"
            case "'": result += "\\'"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "'"
    }

    /// `"..."` with `\`, `"`, CR and LF backslash-escaped.
    private static func doubleQuoted(_ scalars: String.UnicodeScalarView) -> String {
        var result = "\""
        for scalar in scalars {
            switch scalar {
            case "\\": result += "\\\\"
            case "\"": result += "\\\""
            case "\r": result += "\\r"
            case "\n": result += "\\n"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    /// Whether python-dotenv's unquoted-value rule (`[^\r\n]*`, strip `\s+#.*`, `rstrip()`)
    /// returns exactly these scalars.
    private static func isExactUnquoted(_ scalars: String.UnicodeScalarView) -> Bool {
        guard let first = scalars.first, let last = scalars.last else { return false }
        if isSpaceLike(first) || first == "'" || first == "\"" || isSpaceLike(last) {
            return false
        }
        var previousIsSpace = false
        for scalar in scalars {
            if scalar == "\r" || scalar == "\n" { return false }
            if scalar == "#" && previousIsSpace { return false }
            previousIsSpace = isSpaceLike(scalar)
        }
        return true
    }

    /// A superset of Python's `str.isspace()` (and regex `\s`): all C0 and C1 controls,
    /// DEL, Unicode white space, plus a few format characters some versions treat as space.
    private static func isSpaceLike(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x20, 0x7F...0xA0, 0x1680, 0x180E, 0x2000...0x200B, 0x2028, 0x2029,
            0x202F, 0x205F, 0x3000, 0xFEFF:
            return true
        default:
            return scalar.properties.isWhitespace
        }
    }
}
