import Foundation
import LoopsealCrypto
import LoopsealStore

/// Reads a `.env` file exactly as python-dotenv 1.x reads it with
/// `dotenv_values(path, interpolate=False)`: what `loopseal import` and `loopseal edit` read.
///
/// It lives here, beside the dotenv writer (`DotenvFormat`), because it is that writer's
/// inverse: one module owns both directions of the format, and what `export` or the edit view
/// writes reads back byte for byte.
///
/// The rules are python-dotenv's `parser.py`, regular expression by regular expression:
/// - the file is UTF-8 read in text mode, so CR LF and a lone CR are line breaks (LF);
/// - white space (Python's `str.isspace`) and blank lines between statements are skipped, and
///   `export ` before a name is dropped; a line starting with `#` is a comment;
/// - a name is `'…'` or runs up to `=`, `#` or white space; blanks may surround `=`;
/// - `'…'` values decode `\\` and `\'`; `"…"` values decode `\\ \' \" \a \b \f \n \r \t \v`
///   (each pair as Python's `unicode-escape`); both may span lines. A quote after a backslash
///   does not close the value; when no other quote does, the last such quote in the file does,
///   as the backtracking regular expression `'((?:\\'|[^'])*)'` decides;
/// - an unquoted value runs to the end of the line, is cut before the first white space that
///   is followed by `#`, and loses trailing white space; `${…}` and `$` stay literal;
/// - after a quoted value only blanks and a `#` comment may follow on its line.
///
/// Where python-dotenv logs "could not parse statement" and skips the text, this reader refuses
/// the whole file with the line and column. It also refuses a name without `=` (python-dotenv
/// gives it the value None, which a secret cannot hold: a forgotten `=` or an unquoted line of
/// a multi-line value) and a name that is not an environment variable name. A name given twice
/// keeps its first place and its last value, as python-dotenv's dict does.
public enum DotenvParser {
    /// The names and values of `bytes`, in file order. `fileName` is only for messages.
    /// Intermediate copies of the text are wiped; values are returned in secure memory.
    public static func parse<Bytes: Collection>(_ bytes: Bytes, fileName: String) throws -> [(key: String, value: SecureBytes)]
        where Bytes.Element == UInt8 {
        var reader = try DotenvReader(bytes, fileName: fileName)
        defer { reader.wipe() }
        var order: [String] = []
        var values: [String: SecureBytes] = [:]
        while let (key, value) = try reader.next() {
            if values[key] == nil { order.append(key) }
            values[key] = value
        }
        return order.compactMap { key in values[key].map { (key: key, value: $0) } }
    }
}

/// The state of one parse: the text as Unicode scalars (newlines normalized) and a position.
private struct DotenvReader {
    private var text: [Unicode.Scalar] = []
    private var position = 0
    private let fileName: String

    /// Decodes `bytes` as Python's text mode does: strict UTF-8, CR LF and CR read as LF.
    init<Bytes: Collection>(_ bytes: Bytes, fileName: String) throws(DotenvSyntaxError) where Bytes.Element == UInt8 {
        self.fileName = fileName
        text.reserveCapacity(bytes.count)
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var pendingCR = false
        decoding: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                if pendingCR {
                    text.append("\n")
                    pendingCR = false
                    if scalar == "\n" { continue }
                }
                if scalar == "\r" { pendingCR = true } else { text.append(scalar) }
            case .emptyInput:
                if pendingCR { text.append("\n") }
                break decoding
            case .error:
                if pendingCR { text.append("\n") }
                throw error(at: text.count, "the file is not UTF-8 text here (python-dotenv cannot read it either): save it as UTF-8")
            }
        }
    }

    /// Overwrites the decoded text.
    mutating func wipe() {
        text.withUnsafeMutableBytes { raw in
            if let base = raw.baseAddress { memset(base, 0, raw.count) }
        }
        text.removeAll()
    }

    /// The next binding, or nil at the end of the file (python-dotenv's `parse_binding`).
    mutating func next() throws -> (String, SecureBytes)? {
        while true {
            skip(Self.isSpace)
            guard position < text.count else { return nil }
            skipExport()
            let keyStart = position
            let key = try readKey()
            skip(Self.isBlank)
            var value: [Unicode.Scalar]?
            var quoted = false
            if peek == "=" {
                position += 1
                skip(Self.isBlank)
                quoted = peek == "'" || peek == "\""
                value = try readValue()
            }
            try readEndOfLine(afterQuotedValue: quoted)
            guard let key else { continue }
            try check(key, at: keyStart)
            guard var value else {
                throw error(at: keyStart, "a name without '=', which python-dotenv reads as no value at all: write NAME= for an empty value or delete the line; if the line belongs to a multi-line value, put that whole value in double quotes")
            }
            defer { Self.wipe(&value) }
            return (key, try Self.secure(value))
        }
    }

    private var peek: Unicode.Scalar? { position < text.count ? text[position] : nil }

    private mutating func skip(_ test: (Unicode.Scalar) -> Bool) {
        while position < text.count, test(text[position]) { position += 1 }
    }

    /// `(?:export[^\S\r\n]+)?`
    private mutating func skipExport() {
        let word: [Unicode.Scalar] = ["e", "x", "p", "o", "r", "t"]
        let end = position + word.count
        guard end < text.count, Array(text[position..<end]) == word, Self.isBlank(text[end]) else { return }
        position = end
        skip(Self.isBlank)
    }

    /// A name (`'…'` or `[^=\#\s]+`), or nil for a comment line.
    private mutating func readKey() throws(DotenvSyntaxError) -> String? {
        switch peek {
        case "#":
            return nil
        case "'":
            let start = position
            guard let close = text[(position + 1)...].firstIndex(of: "'"), close > position + 1 else {
                throw error(at: start, "a name in single quotes without its closing quote (or an empty name)")
            }
            position = close + 1
            return string(text[(start + 1)..<close])
        default:
            let start = position
            skip { $0 != "=" && $0 != "#" && !Self.isSpace($0) }
            guard position > start else {
                throw error(at: start, "the line starts with '=': a name is missing before it")
            }
            return string(text[start..<position])
        }
    }

    /// python-dotenv's `parse_value`: quoted, empty at the end of a line, or unquoted.
    private mutating func readValue() throws(DotenvSyntaxError) -> [Unicode.Scalar] {
        switch peek {
        case nil, "\n": return []
        case "'": return try readQuoted("'", escapes: ["\\": "\\", "'": "'"])
        case "\"": return try readQuoted("\"", escapes: Self.doubleQuoteEscapes)
        default: return readUnquoted()
        }
    }

    /// `\\[\\'"abfnrtv]` as Python's `unicode-escape` decodes each pair.
    private static let doubleQuoteEscapes: [Unicode.Scalar: Unicode.Scalar] = [
        "\\": "\\", "'": "'", "\"": "\"", "a": "\u{07}", "b": "\u{08}", "f": "\u{0C}",
        "n": "\n", "r": "\r", "t": "\t", "v": "\u{0B}",
    ]

    /// `Q((?:\\Q|[^Q])*)Q`, then the escapes decoded left to right. The regular expression
    /// pairs every backslash-quote, so the value ends at the first quote without a backslash
    /// before it; when there is none, backtracking ends it at the last backslash-quote.
    private mutating func readQuoted(_ quote: Unicode.Scalar, escapes: [Unicode.Scalar: Unicode.Scalar]) throws(DotenvSyntaxError) -> [Unicode.Scalar] {
        let open = position
        var close: Int?
        var index = open + 1
        while index < text.count {
            if text[index] == quote && text[index - 1] != "\\" { close = index; break }
            index += 1
        }
        if close == nil {
            close = text.indices.last { $0 > open + 1 && text[$0] == quote && text[$0 - 1] == "\\" }
        }
        guard let close else {
            let name = quote == "'" ? "single" : "double"
            throw error(at: open, "the value's opening \(name) quote has no closing quote")
        }
        var value: [Unicode.Scalar] = []
        value.reserveCapacity(close - open)
        var i = open + 1
        while i < close {
            if text[i] == "\\", i + 1 < close, let decoded = escapes[text[i + 1]] {
                value.append(decoded)
                i += 2
            } else {
                value.append(text[i])
                i += 1
            }
        }
        position = close + 1
        return value
    }

    /// `[^\r\n]*`, cut before the first white space followed by `#`, then `rstrip()`.
    private mutating func readUnquoted() -> [Unicode.Scalar] {
        let start = position
        skip { $0 != "\n" }
        var end = position
        var index = start
        while index < end {
            if Self.isSpace(text[index]) {
                var run = index
                while run < end, Self.isSpace(text[run]) { run += 1 }
                if run < end, text[run] == "#" { end = index; break }
                index = run
            } else {
                index += 1
            }
        }
        while end > start, Self.isSpace(text[end - 1]) { end -= 1 }
        return Array(text[start..<end])
    }

    /// `(?:[^\S\r\n]*#[^\r\n]*)?` then `[^\S\r\n]*(?:\n|$)`.
    private mutating func readEndOfLine(afterQuotedValue: Bool) throws(DotenvSyntaxError) {
        skip(Self.isBlank)
        if peek == "#" { skip { $0 != "\n" } }
        guard let next = peek else { return }
        guard next == "\n" else {
            throw error(at: position, afterQuotedValue
                ? "text after the value's closing quote: only a comment (' # …') may follow it; if the quote belongs inside the value, quote the whole value the other way or escape it"
                : "text after the name where '=' should be: write NAME=value")
        }
        position += 1
    }

    /// Refuses a name that is not an environment variable name (never showing it).
    private func check(_ key: String, at start: Int) throws(DotenvSyntaxError) {
        guard !Names.isValidKey(key) else { return }
        if key.unicodeScalars.first == "\u{FEFF}" {
            throw error(at: start, "the file starts with a byte order mark (U+FEFF), which python-dotenv reads as part of the first name: save the file as UTF-8 without one")
        }
        throw error(at: start, "the name before '=' is not an environment variable name ([A-Za-z_][A-Za-z0-9_]*, at most 200 characters): rename it; if the line belongs to a multi-line value, put that whole value in double quotes")
    }

    private func string(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        var result = ""
        result.unicodeScalars.append(contentsOf: scalars)
        return result
    }

    /// An error at the scalar index `index`, as a 1-based line and column.
    private func error(at index: Int, _ message: String) -> DotenvSyntaxError {
        let before = text[..<min(index, text.count)]
        let line = before.reduce(1) { $1 == "\n" ? $0 + 1 : $0 }
        let lineStart = before.lastIndex(of: "\n").map { $0 + 1 } ?? 0
        return DotenvSyntaxError(fileName: fileName, line: line, column: index - lineStart + 1, message: message)
    }

    /// `value` as UTF-8 in secure memory, the intermediate buffer wiped.
    private static func secure(_ value: [Unicode.Scalar]) throws -> SecureBytes {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(value.count * 4)
        defer {
            bytes.withUnsafeMutableBytes { raw in
                if let base = raw.baseAddress { memset(base, 0, raw.count) }
            }
        }
        for scalar in value { UTF8.encode(scalar) { bytes.append($0) } }
        return try SecureBytes(copying: bytes)
    }

    private static func wipe(_ scalars: inout [Unicode.Scalar]) {
        scalars.withUnsafeMutableBytes { raw in
            if let base = raw.baseAddress { memset(base, 0, raw.count) }
        }
    }

    /// Python's `str.isspace()` (and `\s` in a `str` pattern).
    static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    /// `[^\S\r\n]`: white space on a line.
    static func isBlank(_ scalar: Unicode.Scalar) -> Bool {
        isSpace(scalar) && scalar != "\n" && scalar != "\r"
    }
}
