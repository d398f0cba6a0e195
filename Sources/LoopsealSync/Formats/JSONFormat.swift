import LoopsealValue

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

    /// A JSON string literal (``JSONString``).
    static func quoted(_ text: String) -> String { JSONString.quoted(text) }
}
