import LoopsealValue

/// Splits template source into tokens following handlebars.js' lexer rules (handlebars.l),
/// rule for rule and in the same order, so edge cases tokenize the same way.
struct Lexer {
    enum Kind: Equatable {
        case content, comment
        case open, openUnescaped, openBlock, openEndBlock, openInverse, openInverseChain, inverse
        case openPartial, openPartialBlock, openRawBlock, closeRawBlock, endRawBlock
        case close, closeUnescaped
        case openSexpr, closeSexpr, openBlockParams, closeBlockParams
        case id, sep, data, string, number, boolean, undefined, null, equals
        case invalid, eof
    }

    struct Token {
        var kind: Kind
        var text: String
        var location: SourceLocation
    }

    private let bytes: [UInt8]
    private var position = 0
    private var state: State = .initial
    /// The last offset ``location(of:)`` reached, with its 0-based line and column.
    private var cursor = (offset: 0, line: 0, column: 0)

    private enum State { case initial, mustache, escaped, raw }
    /// Raw blocks open inside the current one (`{{{{a}}}}` within a raw block is text, and so is its end).
    private var rawNesting = 0

    init(_ source: String) {
        bytes = Array(source.utf8)
    }

    /// 1-based line and character column of a byte offset. Tokens start at increasing offsets,
    /// so each call continues from the previous one: linear in the source, however long its lines.
    mutating func location(of offset: Int) -> SourceLocation {
        let target = min(offset, bytes.count)
        if target < cursor.offset { cursor = (0, 0, 0) }
        var (position, line, column) = cursor
        while position < target {
            if bytes[position] == 0x0A {
                line += 1
                column = 0
            } else if bytes[position] & 0xC0 != 0x80 {
                column += 1
            }
            position += 1
        }
        cursor = (position, line, column)
        return SourceLocation(line: line + 1, column: column + 1)
    }

    mutating func tokenize() -> [Token] {
        var tokens: [Token] = []
        while true {
            let token = next()
            if let token { tokens.append(token) }
            if token?.kind == .eof || token?.kind == .invalid { break }
        }
        return tokens
    }

    private func text(_ start: Int, _ end: Int) -> String { String(decoding: bytes[start..<end], as: UTF8.self) }

    private func hasPrefix(_ literal: StaticString, at offset: Int) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard offset + count <= bytes.count else { return false }
        let utf8 = literal.utf8Start
        for i in 0..<count where bytes[offset + i] != utf8[i] { return false }
        return true
    }

    private func find(_ literal: StaticString, from offset: Int) -> Int? {
        let first = literal.utf8Start[0]
        var i = offset
        while i < bytes.count {
            if bytes[i] == first && hasPrefix(literal, at: i) { return i }
            i += 1
        }
        return nil
    }

    private mutating func token(_ kind: Kind, _ start: Int, _ end: Int, text override: String? = nil) -> Token {
        position = end
        return Token(kind: kind, text: override ?? text(start, end), location: location(of: start))
    }

    /// The next token, or nil when a rule matched but produced none (empty content).
    private mutating func next() -> Token? {
        switch state {
        case .initial: return nextContent()
        case .escaped: return nextEscapedContent()
        case .mustache: return nextInMustache()
        case .raw: return nextRawContent()
        }
    }

    private mutating func nextContent() -> Token? {
        let start = position
        guard start < bytes.count else { return token(.eof, start, start) }
        guard let open = find("{{", from: start) else { return token(.content, start, bytes.count) }
        var end = open
        if end - start >= 2 && bytes[end - 1] == 0x5C && bytes[end - 2] == 0x5C {
            end -= 1
            state = .mustache
        } else if end - start >= 1 && bytes[end - 1] == 0x5C {
            end -= 1
            state = .escaped
        } else {
            state = .mustache
        }
        defer { position = open }
        return end > start ? Token(kind: .content, text: text(start, end), location: location(of: start)) : nil
    }

    /// After `\{{`: at least two characters, up to the next `{{`, `\{{`, `\\{{` or the end.
    private mutating func nextEscapedContent() -> Token? {
        let start = position
        var end = start + 2
        while end < bytes.count && !(hasPrefix("{{", at: end) || hasPrefix("\\{{", at: end) || hasPrefix("\\\\{{", at: end)) { end += 1 }
        state = .initial
        return token(.content, start, min(end, bytes.count))
    }

    /// Inside a raw block: text up to its `{{{{/name}}}}`, which ends it (handlebars.l's `<raw>` rules).
    /// A `{{{{` inside opens a nested raw block whose end is text too; text that never ends is invalid.
    private mutating func nextRawContent() -> Token? {
        let start = position
        if hasPrefix("{{{{/", at: start) {
            let end = idEnd(start + 5)
            if end > start + 5 && hasPrefix("}}}}", at: end) {
                if rawNesting > 0 {
                    rawNesting -= 1
                    return token(.content, start, end + 4)
                }
                state = .initial
                return token(.endRawBlock, start, end + 4, text: text(start + 5, end))
            }
        } else if hasPrefix("{{{{", at: start) {
            rawNesting += 1
            return token(.content, start, start + 4)
        }
        guard let next = find("{{{{", from: start + 1) else { return token(.invalid, start, bytes.count) }
        return token(.content, start, next)
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0B || byte == 0x0C
    }

    /// The length in bytes of the JavaScript `\s` character (``JSWhitespace``) at `offset`, 0 if
    /// none: handlebars' lexer skips it inside a mustache, and it ends a name.
    private func whitespaceLength(at offset: Int) -> Int {
        guard offset < bytes.count else { return 0 }
        if bytes[offset] < 0x80 { return Self.isWhitespace(bytes[offset]) ? 1 : 0 }
        var decoder = UTF8()
        var iterator = bytes[offset...].makeIterator()
        guard case .scalarValue(let scalar) = decoder.decode(&iterator), JSWhitespace.contains(scalar) else { return 0 }
        return UTF8.width(scalar)
    }

    /// `[=~}\s\/.)|]`
    private func isLookahead(_ offset: Int) -> Bool {
        guard offset < bytes.count else { return false }
        switch bytes[offset] {
        case UInt8(ascii: "="), UInt8(ascii: "~"), UInt8(ascii: "}"), UInt8(ascii: "/"), UInt8(ascii: "."), UInt8(ascii: ")"), UInt8(ascii: "|"): return true
        default: return whitespaceLength(at: offset) > 0
        }
    }

    /// `[~}\s)]`
    private func isLiteralLookahead(_ offset: Int) -> Bool {
        guard offset < bytes.count else { return false }
        switch bytes[offset] {
        case UInt8(ascii: "~"), UInt8(ascii: "}"), UInt8(ascii: ")"): return true
        default: return whitespaceLength(at: offset) > 0
        }
    }

    /// ASCII characters an ID may hold: not `\s ! " # % & ' ( ) * + , . / ; < = > @ [ \ ] ^ \` { | } ~`
    /// (the non-ASCII spaces of `\s` are found by ``whitespaceLength(at:)``).
    private static func isIDByte(_ b: UInt8) -> Bool {
        if b >= 0x80 { return true }
        if isWhitespace(b) { return false }
        switch b {
        case UInt8(ascii: "!"), UInt8(ascii: "\""), UInt8(ascii: "#"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
             UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: "."),
             UInt8(ascii: "/"), UInt8(ascii: ";"), UInt8(ascii: "<"), UInt8(ascii: "="), UInt8(ascii: ">"), UInt8(ascii: "@"),
             UInt8(ascii: "["), UInt8(ascii: "\\"), UInt8(ascii: "]"), UInt8(ascii: "^"), UInt8(ascii: "`"), UInt8(ascii: "{"),
             UInt8(ascii: "|"), UInt8(ascii: "}"), UInt8(ascii: "~"):
            return false
        default:
            return true
        }
    }

    /// Where a name starting at `offset` ends: at the first byte no ID may hold or a `\s` space.
    private func idEnd(_ offset: Int) -> Int {
        var end = offset
        while end < bytes.count && Self.isIDByte(bytes[end]) && (bytes[end] < 0x80 || whitespaceLength(at: end) == 0) { end += 1 }
        return end
    }

    private func skipSpaces(_ offset: Int) -> Int {
        var i = offset
        while true {
            let length = whitespaceLength(at: i)
            guard length > 0 else { return i }
            i += length
        }
    }

    private mutating func nextInMustache() -> Token? {
        var start = position
        guard start < bytes.count else { return token(.eof, start, start) }
        let c = bytes[start]
        if c == UInt8(ascii: "(") { return token(.openSexpr, start, start + 1) }
        if c == UInt8(ascii: ")") { return token(.closeSexpr, start, start + 1) }
        if hasPrefix("{{{{", at: start) { return token(.openRawBlock, start, start + 4) }
        if hasPrefix("}}}}", at: start) {
            state = .raw
            rawNesting = 0
            return token(.closeRawBlock, start, start + 4)
        }
        if hasPrefix("{{", at: start) { return openTag(start) }
        if c == UInt8(ascii: "=") { return token(.equals, start, start + 1) }
        if hasPrefix("..", at: start) { return token(.id, start, start + 2) }
        if c == UInt8(ascii: "."), isLookahead(start + 1) { return token(.id, start, start + 1) }
        if c == UInt8(ascii: ".") || c == UInt8(ascii: "/") { return token(.sep, start, start + 1) }
        if whitespaceLength(at: start) > 0 {
            start = skipSpaces(start)
            position = start
            return nil
        }
        if hasPrefix("}~}}", at: start) { state = .initial; return token(.closeUnescaped, start, start + 4) }
        if hasPrefix("}}}", at: start) { state = .initial; return token(.closeUnescaped, start, start + 3) }
        if hasPrefix("~}}", at: start) { state = .initial; return token(.close, start, start + 3) }
        if hasPrefix("}}", at: start) { state = .initial; return token(.close, start, start + 2) }
        if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") { return stringToken(start, quote: c) }
        if c == UInt8(ascii: "@") { return token(.data, start, start + 1) }
        for (word, kind) in Self.literalWords where hasPrefix(word, at: start) && isLiteralLookahead(start + word.utf8CodeUnitCount) {
            return token(kind, start, start + word.utf8CodeUnitCount)
        }
        if let end = numberEnd(start), isLiteralLookahead(end) { return token(.number, start, end) }
        if hasPrefix("as", at: start) {
            let afterSpaces = skipSpaces(start + 2)
            if afterSpaces > start + 2, afterSpaces < bytes.count, bytes[afterSpaces] == UInt8(ascii: "|") {
                return token(.openBlockParams, start, afterSpaces + 1)
            }
        }
        if c == UInt8(ascii: "|") { return token(.closeBlockParams, start, start + 1) }
        let end = idEnd(start)
        // At the very end an ID cannot be followed by anything: take it, and let the parser
        // report the missing '}}' rather than a stray character.
        if end > start && (isLookahead(end) || end == bytes.count) { return token(.id, start, end) }
        if c == UInt8(ascii: "["), let close = bracketEnd(start) {
            var raw = text(start, close + 1)
            if raw.utf8.contains(UInt8(ascii: "\\")) {
                raw = raw.replacingOccurrences(of: "\\\\", with: "\u{0}").replacingOccurrences(of: "\\]", with: "]").replacingOccurrences(of: "\u{0}", with: "\\")
            }
            return token(.id, start, close + 1, text: raw)
        }
        return token(.invalid, start, start + 1)
    }

    /// The `]` ending a bracketed segment at `start`: handlebars' greedy `\[(\\]|[^\]])*\]`. A `]`
    /// after a backslash may be inside or the end; the first one without is the last possible end.
    private func bracketEnd(_ start: Int) -> Int? {
        var candidate: Int?
        var i = start + 1
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "]") {
                candidate = i
                if bytes[i - 1] != UInt8(ascii: "\\") { break }
            }
            i += 1
        }
        return candidate
    }

    private static let literalWords: [(StaticString, Kind)] = [("true", .boolean), ("false", .boolean), ("undefined", .undefined), ("null", .null)]

    private func numberEnd(_ start: Int) -> Int? {
        var i = start
        if i < bytes.count && bytes[i] == UInt8(ascii: "-") { i += 1 }
        let digitsStart = i
        while i < bytes.count && bytes[i] >= 0x30 && bytes[i] <= 0x39 { i += 1 }
        guard i > digitsStart else { return nil }
        if i + 1 < bytes.count && bytes[i] == UInt8(ascii: ".") && bytes[i + 1] >= 0x30 && bytes[i + 1] <= 0x39 {
            i += 1
            while i < bytes.count && bytes[i] >= 0x30 && bytes[i] <= 0x39 { i += 1 }
        }
        return i
    }

    private mutating func stringToken(_ start: Int, quote: UInt8) -> Token {
        var i = start + 1
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "\\") && i + 1 < bytes.count && bytes[i + 1] == quote { i += 2; continue }
            if bytes[i] == quote { break }
            i += 1
        }
        guard i < bytes.count else { return token(.invalid, start, start + 1) }
        let q = String(UnicodeScalar(quote))
        var value = text(start + 1, i)
        if value.utf8.contains(UInt8(ascii: "\\")) { value = value.replacingOccurrences(of: "\\" + q, with: q) }
        return token(.string, start, i + 1, text: value)
    }

    /// Every rule that starts with `{{`, in handlebars' order.
    private mutating func openTag(_ start: Int) -> Token {
        var i = start + 2
        if i < bytes.count && bytes[i] == UInt8(ascii: "~") { i += 1 }
        let afterStrip = i
        if hasPrefix(">", at: i) { return token(.openPartial, start, i + 1) }
        if hasPrefix("#>", at: i) { return token(.openPartialBlock, start, i + 2) }
        if hasPrefix("#", at: i) { return token(.openBlock, start, hasPrefix("#*", at: i) ? i + 2 : i + 1) }
        if hasPrefix("/", at: i) { return token(.openEndBlock, start, i + 1) }
        if hasPrefix("^", at: i) {
            var j = skipSpaces(i + 1)
            if hasPrefix("~", at: j) { j += 1 }
            if hasPrefix("}}", at: j) { state = .initial; return token(.inverse, start, j + 2) }
        }
        let afterSpaces = skipSpaces(afterStrip)
        if hasPrefix("else", at: afterSpaces) {
            var j = skipSpaces(afterSpaces + 4)
            if hasPrefix("~", at: j) { j += 1 }
            if hasPrefix("}}", at: j) { state = .initial; return token(.inverse, start, j + 2) }
        }
        if hasPrefix("^", at: i) { return token(.openInverse, start, i + 1) }
        if hasPrefix("else", at: afterSpaces) { return token(.openInverseChain, start, afterSpaces + 4) }
        if hasPrefix("{", at: i) { return token(.openUnescaped, start, i + 1) }
        if hasPrefix("&", at: i) { return token(.open, start, i + 1) }
        if hasPrefix("!--", at: i) {
            var j = start
            while j < bytes.count {
                if hasPrefix("--}}", at: j) { state = .initial; return token(.comment, start, j + 4) }
                if hasPrefix("--~}}", at: j) { state = .initial; return token(.comment, start, j + 5) }
                j += 1
            }
            return token(.invalid, start, bytes.count)
        }
        if hasPrefix("!", at: i) {
            guard let close = find("}}", from: i + 1) else { return token(.invalid, start, bytes.count) }
            state = .initial
            return token(.comment, start, close + 2)
        }
        return token(.open, start, hasPrefix("*", at: i) ? i + 1 : i)
    }
}
