/// Text from a file or a request (a name, a key, a path) shown in an error or a log line:
/// control characters become `?`, so it cannot break the line or drive a terminal, and long
/// text is cut with `…`.
public enum UntrustedText {
    /// `text` made safe for one line, at most `limit` characters (plus `…`).
    public static func display(_ text: String, limit: Int = 60) -> String {
        let cleaned = String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7f ? "?" : Character($0) })
        return cleaned.count > limit ? String(cleaned.prefix(limit)) + "…" : cleaned
    }
}
