/// Validation shared by every format: turns an entry's bytes into text.
enum EntryText {
    /// Returns the value of `entry` as a string, or throws if it is not valid UTF-8
    /// or contains NUL. The thrown error names the key and never the value.
    static func value(of entry: EnvEntry, format: OutputFormat) throws(FormatError) -> String {
        // Decoding repairs invalid sequences with U+FFFD, so a byte-exact round trip
        // is a complete UTF-8 validity check.
        let text = String(decoding: entry.value, as: UTF8.self)
        guard Array(text.utf8) == entry.value else {
            throw .unrepresentable(
                key: entry.key, format: format.rawValue, reason: "value is not valid UTF-8")
        }
        guard !entry.value.contains(0) else {
            throw .unrepresentable(
                key: entry.key, format: format.rawValue, reason: "value contains a NUL byte")
        }
        return text
    }
}
