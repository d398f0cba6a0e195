/// A small JSON parser that keeps object key order (Foundation's does not), for template data.
struct JSONTextParser {
    private let bytes: [UInt8]
    private var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func parseDocument() throws(JSONSyntaxError) -> TemplateValue {
        let value = try parseValue(depth: 0)
        skipWhitespace()
        guard position == bytes.count else { throw error("unexpected text after the JSON value") }
        return value
    }

    private func error(_ problem: String) -> JSONSyntaxError {
        var line = 1, column = 1
        for byte in bytes[..<min(position, bytes.count)] {
            if byte == 0x0A { line += 1; column = 1 } else if byte & 0xC0 != 0x80 { column += 1 }
        }
        return JSONSyntaxError(line: line, column: column, message: problem)
    }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private mutating func parseValue(depth: Int) throws(JSONSyntaxError) -> TemplateValue {
        guard depth < 512 else { throw error("JSON nested too deeply") }
        skipWhitespace()
        guard position < bytes.count else { throw error("unexpected end of JSON") }
        switch bytes[position] {
        case UInt8(ascii: "{"):
            position += 1
            var pairs: [(String, TemplateValue)] = []
            skipWhitespace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "}") { position += 1; return .dictionary(pairs) }
            while true {
                skipWhitespace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw error("expected a string key") }
                let key = try parseString()
                skipWhitespace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw error("expected ':'") }
                position += 1
                pairs.append((key, try parseValue(depth: depth + 1)))
                skipWhitespace()
                guard position < bytes.count else { throw error("unexpected end of JSON") }
                if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
                if bytes[position] == UInt8(ascii: "}") { position += 1; return .dictionary(pairs) }
                throw error("expected ',' or '}'")
            }
        case UInt8(ascii: "["):
            position += 1
            var items: [TemplateValue] = []
            skipWhitespace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "]") { position += 1; return .list(items) }
            while true {
                items.append(try parseValue(depth: depth + 1))
                skipWhitespace()
                guard position < bytes.count else { throw error("unexpected end of JSON") }
                if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
                if bytes[position] == UInt8(ascii: "]") { position += 1; return .list(items) }
                throw error("expected ',' or ']'")
            }
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default: return .number(try parseNumber())
        }
    }

    private mutating func literal(_ word: String) throws(JSONSyntaxError) {
        let expected = Array(word.utf8)
        guard position + expected.count <= bytes.count, Array(bytes[position..<position + expected.count]) == expected else {
            throw error("unexpected character")
        }
        position += expected.count
    }

    private mutating func parseNumber() throws(JSONSyntaxError) -> Double {
        let start = position
        var integer = 0
        while position < bytes.count, position - start < 15, bytes[position] >= 0x30, bytes[position] <= 0x39 {
            integer = integer * 10 + Int(bytes[position] - 0x30)
            position += 1
        }
        let plainInteger = position > start && (bytes[start] != 0x30 || position - start == 1)
        if plainInteger && (position == bytes.count || !"+-0123456789.eE".utf8.contains(bytes[position])) { return Double(integer) }
        position = start
        guard position < bytes.count, bytes[position] == UInt8(ascii: "-") || (0x30...0x39).contains(bytes[position]) else {
            throw error("unexpected character")
        }
        guard scanNumber(), let value = Double(String(decoding: bytes[start..<position], as: UTF8.self)) else {
            position = start
            throw error("not a JSON number: write it as -?digits[.digits][e±digits], with no leading zero or '+'")
        }
        return value
    }

    /// Moves past a number as JSON's grammar spells it, `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`; false if it is not one.
    private mutating func scanNumber() -> Bool {
        func isDigit(_ index: Int) -> Bool { index < bytes.count && bytes[index] >= 0x30 && bytes[index] <= 0x39 }
        func digits() -> Bool {
            guard isDigit(position) else { return false }
            while isDigit(position) { position += 1 }
            return true
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "-") { position += 1 }
        if position < bytes.count, bytes[position] == UInt8(ascii: "0") {
            position += 1
            if isDigit(position) { return false }
        } else if !digits() {
            return false
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard digits() else { return false }
        }
        if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") {
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") { position += 1 }
            guard digits() else { return false }
        }
        return true
    }

    private mutating func parseString() throws(JSONSyntaxError) -> String {
        position += 1
        var end = position
        while end < bytes.count {
            let byte = bytes[end]
            if byte == UInt8(ascii: "\"") {
                let text = bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[position..<end]), as: UTF8.self) }
                position = end + 1
                return text
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { break }
            end += 1
        }
        return try parseEscapedString()
    }

    /// A string with escapes (or an error in it), from just after its opening quote.
    private mutating func parseEscapedString() throws(JSONSyntaxError) -> String {
        var units: [UInt16] = []
        var run: [UInt8] = []
        func flush() { units.append(contentsOf: String(decoding: run, as: UTF8.self).utf16); run.removeAll(keepingCapacity: true) }
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            if byte == UInt8(ascii: "\"") { flush(); return String(decoding: units, as: UTF16.self) }
            if byte < 0x20 { throw error("control character in a string") }
            guard byte == UInt8(ascii: "\\") else { run.append(byte); continue }
            guard position < bytes.count else { break }
            let escape = bytes[position]
            position += 1
            switch escape {
            case UInt8(ascii: "\""): run.append(0x22)
            case UInt8(ascii: "\\"): run.append(0x5C)
            case UInt8(ascii: "/"): run.append(0x2F)
            case UInt8(ascii: "b"): run.append(0x08)
            case UInt8(ascii: "f"): run.append(0x0C)
            case UInt8(ascii: "n"): run.append(0x0A)
            case UInt8(ascii: "r"): run.append(0x0D)
            case UInt8(ascii: "t"): run.append(0x09)
            case UInt8(ascii: "u"):
                let hex = position + 4 <= bytes.count ? String(decoding: bytes[position..<position + 4], as: UTF8.self) : ""
                guard hex.utf8.count == 4, hex.allSatisfy(\.isHexDigit), let unit = UInt16(hex, radix: 16) else {
                    throw error("bad \\u escape")
                }
                position += 4
                flush()
                units.append(unit)
            default: throw error("bad escape")
            }
        }
        throw error("unterminated string")
    }
}
