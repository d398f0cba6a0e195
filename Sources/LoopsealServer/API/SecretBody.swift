import LoopsealCrypto

/// The body of a secret write, `{"key": …, "value": …}`, read by a strict JSON object reader
/// that decodes `value` straight into ``SecureBytes``: the plaintext never becomes a `String`.
struct SecretBody {
    var key: String?
    var value: SecureBytes?

    /// Parses `bytes`, accepting only the fields in `allowed`, each at most once, as strings.
    static func parse(_ bytes: UnsafeRawBufferPointer, allowed: Set<String>) throws -> SecretBody {
        var reader = Reader(bytes: bytes)
        var body = SecretBody()
        var seen: Set<String> = []
        reader.skipSpace()
        try reader.expect(UInt8(ascii: "{"), "the body must be a JSON object")
        reader.skipSpace()
        if reader.peek == UInt8(ascii: "}") {
            reader.index += 1
        } else {
            while true {
                reader.skipSpace()
                guard reader.peek == UInt8(ascii: "\"") else { throw reader.error("expected a field name in double quotes") }
                let name = try reader.string()
                guard allowed.contains(name) else {
                    throw APIError.invalid("body: unknown field '\(name.prefix(40))'; expected \(allowed.sorted().map { "'\($0)'" }.joined(separator: " and "))")
                }
                guard seen.insert(name).inserted else { throw APIError.invalid("body: field '\(name)' appears twice") }
                reader.skipSpace()
                try reader.expect(UInt8(ascii: ":"), "expected ':' after '\(name)'")
                reader.skipSpace()
                guard reader.peek == UInt8(ascii: "\"") else { throw APIError.invalid("body: field '\(name)' must be a string") }
                if name == "value" {
                    body.value = try reader.secureString(field: name)
                } else {
                    body.key = try reader.string()
                }
                reader.skipSpace()
                if reader.peek == UInt8(ascii: ",") { reader.index += 1; continue }
                try reader.expect(UInt8(ascii: "}"), "expected ',' or '}' after '\(name)'")
                break
            }
        }
        reader.skipSpace()
        guard reader.index == bytes.count else { throw reader.error("unexpected data after the object") }
        for name in allowed where !seen.contains(name) {
            throw APIError.invalid("body: field '\(name)' is required")
        }
        return body
    }

    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var index = 0

        var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipSpace() {
            while let byte = peek, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
        }

        mutating func expect(_ byte: UInt8, _ message: String) throws {
            guard peek == byte else { throw error(message) }
            index += 1
        }

        func error(_ message: String) -> APIError {
            APIError.invalid("body is not valid JSON at byte \(index + 1): \(message)")
        }

        /// A string that is not secret (a field name or the key).
        mutating func string() throws -> String {
            var out: [UInt8] = []
            try decode { out.append($0) }
            return String(decoding: out, as: UTF8.self)
        }

        /// A string decoded twice: once to measure, once into locked memory.
        mutating func secureString(field: String) throws -> SecureBytes {
            let start = index
            var count = 0
            try decode { _ in count += 1 }
            let end = index
            index = start
            let value = try SecureBytes(count: count) { buffer in
                var offset = 0
                try decode { byte in
                    buffer[offset] = byte
                    offset += 1
                }
            }
            index = end
            return value
        }

        /// Decodes the string at `index` (which holds the opening quote), emitting UTF-8 bytes.
        /// Errors name positions only, never the content.
        private mutating func decode(_ emit: (UInt8) -> Void) throws {
            index += 1
            while true {
                guard let byte = peek else { throw error("unterminated string") }
                switch byte {
                case UInt8(ascii: "\""):
                    index += 1
                    return
                case UInt8(ascii: "\\"):
                    index += 1
                    guard let escape = peek else { throw error("unterminated escape") }
                    index += 1
                    switch escape {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): emit(escape)
                    case UInt8(ascii: "b"): emit(0x08)
                    case UInt8(ascii: "f"): emit(0x0C)
                    case UInt8(ascii: "n"): emit(0x0A)
                    case UInt8(ascii: "r"): emit(0x0D)
                    case UInt8(ascii: "t"): emit(0x09)
                    case UInt8(ascii: "u"):
                        var scalar = try hex4()
                        if (0xD800...0xDBFF).contains(scalar) {
                            guard peek == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") else {
                                throw error("a \\u high surrogate must be followed by a low surrogate")
                            }
                            index += 2
                            let low = try hex4()
                            guard (0xDC00...0xDFFF).contains(low) else { throw error("invalid \\u surrogate pair") }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else if (0xDC00...0xDFFF).contains(scalar) {
                            throw error("lone \\u low surrogate")
                        }
                        utf8(scalar, emit)
                    default:
                        throw error("invalid escape")
                    }
                default:
                    guard byte >= 0x20 else { throw error("control character in a string: escape it") }
                    let length = try validUTF8Length(at: index)
                    for offset in 0..<length { emit(bytes[index + offset]) }
                    index += length
                }
            }
        }

        private mutating func hex4() throws -> UInt32 {
            guard index + 4 <= bytes.count else { throw error("truncated \\u escape") }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw error("invalid \\u escape")
                }
                value = value << 4 | UInt32(digit)
                index += 1
            }
            return value
        }

        private func utf8(_ scalar: UInt32, _ emit: (UInt8) -> Void) {
            switch scalar {
            case 0..<0x80:
                emit(UInt8(scalar))
            case 0x80..<0x800:
                emit(UInt8(0xC0 | scalar >> 6)); emit(UInt8(0x80 | scalar & 0x3F))
            case 0x800..<0x10000:
                emit(UInt8(0xE0 | scalar >> 12)); emit(UInt8(0x80 | scalar >> 6 & 0x3F)); emit(UInt8(0x80 | scalar & 0x3F))
            default:
                emit(UInt8(0xF0 | scalar >> 18)); emit(UInt8(0x80 | scalar >> 12 & 0x3F))
                emit(UInt8(0x80 | scalar >> 6 & 0x3F)); emit(UInt8(0x80 | scalar & 0x3F))
            }
        }

        /// The length of the well-formed UTF-8 sequence at `position`.
        private func validUTF8Length(at position: Int) throws -> Int {
            let lead = bytes[position]
            let length: Int
            let minimum: UInt32
            switch lead {
            case 0x00..<0x80: return 1
            case 0xC2...0xDF: length = 2; minimum = 0x80
            case 0xE0...0xEF: length = 3; minimum = 0x800
            case 0xF0...0xF4: length = 4; minimum = 0x10000
            default: throw error("the body is not UTF-8")
            }
            guard position + length <= bytes.count else { throw error("the body is not UTF-8") }
            var scalar = UInt32(lead) & (0xFF >> (length + 1))
            for offset in 1..<length {
                let next = bytes[position + offset]
                guard next & 0xC0 == 0x80 else { throw error("the body is not UTF-8") }
                scalar = scalar << 6 | UInt32(next & 0x3F)
            }
            guard scalar >= minimum, scalar <= 0x10FFFF, !(0xD800...0xDFFF).contains(scalar) else {
                throw error("the body is not UTF-8")
            }
            return length
        }
    }
}
