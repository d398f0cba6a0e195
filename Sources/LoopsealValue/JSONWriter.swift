/// Writes a ``TemplateValue`` as JSON text (keys in the value's order; NaN and infinities as null).
extension TemplateValue {
    /// JSON text; `pretty` indents with two spaces like `JSON.stringify(v, null, 2)`.
    public func jsonText(pretty: Bool = false) -> String {
        var out = ""
        write(to: &out, pretty: pretty, indent: 0)
        return out
    }

    private func write(to out: inout String, pretty: Bool, indent: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += n.isFinite ? JSNumber.format(n) : "null"
        case .string(let s): Self.writeString(s, to: &out)
        case .array(let array):
            if array.items.isEmpty { out += "[]"; return }
            out += "["
            for (i, item) in array.items.enumerated() {
                if i > 0 { out += "," }
                if pretty { out += "\n" + String(repeating: " ", count: indent + 2) }
                item.write(to: &out, pretty: pretty, indent: indent + 2)
            }
            if pretty { out += "\n" + String(repeating: " ", count: indent) }
            out += "]"
        case .object(let object):
            if object.keys.isEmpty { out += "{}"; return }
            out += "{"
            for (i, key) in object.keys.enumerated() {
                if i > 0 { out += "," }
                if pretty { out += "\n" + String(repeating: " ", count: indent + 2) }
                Self.writeString(key, to: &out)
                out += pretty ? ": " : ":"
                object.values[i].write(to: &out, pretty: pretty, indent: indent + 2)
            }
            if pretty { out += "\n" + String(repeating: " ", count: indent) }
            out += "}"
        }
    }

    private static func writeString(_ s: String, to out: inout String) { JSONString.append(s, to: &out) }
}
