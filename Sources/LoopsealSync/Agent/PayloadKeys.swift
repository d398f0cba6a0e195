import Foundation

/// Finds the key names in a payload for the agent's log, never the values.
///
/// A name is reported only when the payload is exactly what Loopseal's `dotenv` or `shell`
/// format renders for the parsed entries (so no line of a multi-line value can pass for a
/// name), or a JSON object of strings. Anything else yields nil and the log says so.
/// Its `dotenv` and `shell` readers are the inverse of those formats' writers.
public enum PayloadKeys {
    /// The key names in `payload`, or nil when it is not exactly a Loopseal `dotenv`, `shell`
    /// or JSON-object payload.
    public static func names(in payload: String) -> [String]? {
        if payload.isEmpty { return [] }
        if let entries = parseDotenv(payload), (try? OutputFormat.dotenv.render(entries)) == payload {
            return entries.map(\.key)
        }
        if let entries = parseShell(payload), (try? OutputFormat.shell.render(entries)) == payload {
            return entries.map(\.key)
        }
        if payload.hasPrefix("{"), let object = try? JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: String] {
            return object.keys.sorted()
        }
        return nil
    }

    private static func isNameStart(_ c: UInt8) -> Bool { c == 0x5F || (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }
    private static func isNameChar(_ c: UInt8) -> Bool { isNameStart(c) || (c >= 0x30 && c <= 0x39) }

    /// Reads `NAME=` at `i`; returns the name and the index after `=`.
    private static func name(_ b: [UInt8], _ i: Int) -> (String, Int)? {
        guard i < b.count, isNameStart(b[i]) else { return nil }
        var j = i
        while j < b.count, isNameChar(b[j]) { j += 1 }
        guard j < b.count, b[j] == UInt8(ascii: "=") else { return nil }
        return (String(decoding: b[i..<j], as: UTF8.self), j + 1)
    }

    /// `NAME='…'` (`\\`, `\'`), `NAME="…"` (`\\`, `\"`, `\r`, `\n`) or `NAME=unquoted`, one per line.
    public static func parseDotenv(_ text: String) -> [EnvEntry]? {
        let b = Array(text.utf8)
        var i = 0
        var entries: [EnvEntry] = []
        while i < b.count {
            guard let (key, start) = name(b, i) else { return nil }
            var value: [UInt8] = []
            var j = start
            if j < b.count, b[j] == UInt8(ascii: "'") || b[j] == UInt8(ascii: "\"") {
                let quote = b[j]
                j += 1
                var closed = false
                while j < b.count {
                    let c = b[j]
                    if c == quote { closed = true; j += 1; break }
                    if c == UInt8(ascii: "\\"), j + 1 < b.count {
                        let next = b[j + 1]
                        if quote == UInt8(ascii: "\"") && next == UInt8(ascii: "n") { value.append(0x0A) }
                        else if quote == UInt8(ascii: "\"") && next == UInt8(ascii: "r") { value.append(0x0D) }
                        else { value.append(next) }
                        j += 2
                        continue
                    }
                    value.append(c)
                    j += 1
                }
                guard closed else { return nil }
            } else {
                while j < b.count, b[j] != 0x0A { value.append(b[j]); j += 1 }
            }
            guard j < b.count, b[j] == 0x0A else { return nil }
            entries.append(EnvEntry(key: key, value: value))
            i = j + 1
        }
        return entries
    }

    /// `export NAME='…'` lines, a quote written `'\''`.
    public static func parseShell(_ text: String) -> [EnvEntry]? {
        let b = Array(text.utf8)
        let prefix = Array("export ".utf8)
        let quoteEscape = Array("'\\''".utf8)
        var i = 0
        var entries: [EnvEntry] = []
        while i < b.count {
            guard b.count - i >= prefix.count, Array(b[i..<i + prefix.count]) == prefix,
                  let (key, start) = name(b, i + prefix.count), start < b.count, b[start] == UInt8(ascii: "'") else { return nil }
            var j = start + 1
            var value: [UInt8] = []
            while true {
                guard j < b.count else { return nil }
                if b[j] == UInt8(ascii: "'") {
                    if b.count - j >= quoteEscape.count, Array(b[j..<j + quoteEscape.count]) == quoteEscape {
                        value.append(UInt8(ascii: "'"))
                        j += quoteEscape.count
                        continue
                    }
                    j += 1
                    break
                }
                value.append(b[j])
                j += 1
            }
            guard j < b.count, b[j] == 0x0A else { return nil }
            entries.append(EnvEntry(key: key, value: value))
            i = j + 1
        }
        return entries
    }
}
