/// handlebars' `escapeExpression`: `& < > " ' \` =` become entities; nothing else changes.
/// The one HTML escaper: templates and the server's web pages use it.
public enum HTMLEscape {
    /// Appends `text`, escaped, to `out`.
    public static func append(_ text: String, to out: inout String) {
        let utf8 = text.utf8
        guard utf8.contains(where: needsEscape) else {
            out += text
            return
        }
        var start = utf8.startIndex
        var index = start
        while index != utf8.endIndex {
            let byte = utf8[index]
            if needsEscape(byte) {
                out += String(text[start..<index])
                out += entity(byte).description
                start = utf8.index(after: index)
            }
            index = utf8.index(after: index)
        }
        out += String(text[start..<utf8.endIndex])
    }

    /// Returns `text` escaped.
    public static func escape(_ text: String) -> String {
        var out = ""
        append(text, to: &out)
        return out
    }

    @inline(__always)
    static func needsEscape(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x26, 0x3C, 0x3E, 0x22, 0x27, 0x60, 0x3D: return true
        default: return false
        }
    }

    static func entity(_ byte: UInt8) -> StaticString {
        switch byte {
        case 0x26: return "&amp;"
        case 0x3C: return "&lt;"
        case 0x3E: return "&gt;"
        case 0x22: return "&quot;"
        case 0x27: return "&#x27;"
        case 0x60: return "&#x60;"
        default: return "&#x3D;"
        }
    }
}
