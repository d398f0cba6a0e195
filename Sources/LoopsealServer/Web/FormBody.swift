import Hummingbird
import LoopsealCrypto

/// Why a form body was refused. Messages name fields (and for secrets, the key), never values.
public enum FormBodyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The body is larger than ``FormBody/maxBytes``.
    case tooLarge(limit: Int)
    /// A `%` not followed by two hex digits.
    case malformedEscape(field: String)
    /// A field name or a non-secret value that is not UTF-8 once decoded.
    case invalidUTF8(field: String)
    /// The same field twice.
    case duplicateField(String)
    /// `secret:` with no key after it.
    case emptySecretKey

    public var description: String {
        switch self {
        case .tooLarge(let limit):
            return "the form is larger than \(limit / 1024) KiB"
        case .malformedEscape(let field):
            return "field '\(field)' has a malformed percent-escape ('%' must be followed by two hex digits)"
        case .invalidUTF8(let field):
            return "field '\(field)' is not UTF-8"
        case .duplicateField(let field):
            return "field '\(field)' appears more than once"
        case .emptySecretKey:
            return "a 'secret:' field names no key"
        }
    }

    /// The HTTP status that answers it: 413 for size, 400 otherwise.
    public var status: HTTPResponse.Status {
        if case .tooLarge = self { return .contentTooLarge }
        return .badRequest
    }
}

/// An `application/x-www-form-urlencoded` body. Fields named `secret:KEY` are decoded straight
/// into ``SecureBytes`` (no `String` ever holds them); every other field becomes a `String`.
/// Empty secret fields are left out: a secret box left blank means "no new value".
///
/// Values arrive byte for byte (spaces, tabs, any byte) but for line breaks: browsers send each
/// line break of a `textarea` as CR LF, so every CR LF in a value becomes one LF. A lone CR or LF
/// is kept as it is.
public struct FormBody: Sendable {
    /// Largest body accepted: 64 KiB.
    public static let maxBytes = 64 * 1024
    /// The name prefix of fields decoded as secrets.
    public static let secretPrefix = "secret:"

    /// Non-secret fields by name.
    public private(set) var fields: [String: String] = [:]
    /// Secret fields in body order, by key (the name without ``secretPrefix``).
    public private(set) var secrets: [(key: String, value: SecureBytes)] = []

    /// The value of non-secret field `name`.
    public subscript(name: String) -> String? { fields[name] }

    /// Parses `bytes`. Does not modify them; see ``read(_:)``.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(FormBodyError) -> FormBody {
        guard bytes.count <= maxBytes else { throw .tooLarge(limit: maxBytes) }
        var form = FormBody()
        var seen: Set<String> = []
        var start = 0
        while start <= bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: "&") { end += 1 }
            if end > start {
                var equals = start
                while equals < end, bytes[equals] != UInt8(ascii: "=") { equals += 1 }
                let nameBytes = UnsafeRawBufferPointer(rebasing: bytes[start..<equals])
                let valueBytes = UnsafeRawBufferPointer(rebasing: bytes[min(equals + 1, end)..<end])
                try form.add(nameBytes, valueBytes, seen: &seen)
            }
            start = end + 1
        }
        return form
    }

    /// Reads a request body (at most ``maxBytes``) and parses it. Each fragment is copied into one
    /// buffer reserved up front (so no reallocation leaves a copy behind) and then zeroed in
    /// place: its storage is shared with the HTTP decoder, so this wipes the bytes where they
    /// arrived. The copy is zeroed once parsed, whether or not parsing succeeded.
    public static func read<Body: AsyncSequence>(_ body: Body) async throws -> FormBody where Body.Element == ByteBuffer {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(maxBytes)
        defer { SecureMemory.zero(&bytes) }
        for try await fragment in body {
            let fits = bytes.count + fragment.readableBytes <= maxBytes
            fragment.withUnsafeReadableBytes { raw in
                if fits { bytes.append(contentsOf: raw) }
                SecureMemory.zero(UnsafeMutableRawBufferPointer(mutating: raw))
            }
            guard fits else { throw FormBodyError.tooLarge(limit: maxBytes) }
        }
        let result = bytes.withUnsafeBytes { raw in Result { () throws(FormBodyError) -> FormBody in try parse(raw) } }
        return try result.get()
    }

    private mutating func add(_ rawName: UnsafeRawBufferPointer, _ rawValue: UnsafeRawBufferPointer,
                              seen: inout Set<String>) throws(FormBodyError) {
        var nameBytes: [UInt8] = []
        let nameOK = Self.decode(rawName) { nameBytes.append($0) }
        // The name is not secret but may be garbage: show a bounded, lossy copy in errors.
        let shownName = String(decoding: nameBytes.prefix(60), as: UTF8.self)
        guard nameOK else { throw .malformedEscape(field: String(decoding: Self.prefix(rawName), as: UTF8.self)) }
        guard let name = Self.utf8String(nameBytes) else { throw .invalidUTF8(field: shownName) }
        guard seen.insert(name).inserted else { throw .duplicateField(shownName) }
        if name.hasPrefix(Self.secretPrefix) {
            let key = String(name.dropFirst(Self.secretPrefix.count))
            guard !key.isEmpty else { throw .emptySecretKey }
            var count = 0
            guard Self.decodeValue(rawValue, { _ in count += 1 }) else { throw .malformedEscape(field: name) }
            guard count > 0 else { return }
            do {
                let value = try SecureBytes(count: count) { buffer in
                    var offset = 0
                    _ = Self.decodeValue(rawValue) { byte in
                        buffer[offset] = byte
                        offset += 1
                    }
                }
                secrets.append((key: key, value: value))
            } catch {
                // Only allocation can fail here; report it without the value.
                throw .tooLarge(limit: Self.maxBytes)
            }
        } else {
            var valueBytes: [UInt8] = []
            guard Self.decodeValue(rawValue, { valueBytes.append($0) }) else { throw .malformedEscape(field: shownName) }
            guard let value = Self.utf8String(valueBytes) else { throw .invalidUTF8(field: shownName) }
            fields[name] = value
        }
    }

    /// `bytes` as a String when they are valid UTF-8.
    private static func utf8String(_ bytes: [UInt8]) -> String? {
        let string = String(decoding: bytes, as: UTF8.self)
        return string.utf8.elementsEqual(bytes) ? string : nil
    }

    private static func prefix(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        Array(bytes.prefix(60))
    }

    /// Emits the decoded bytes of a value, each CR LF pair as one LF; false on a bad escape.
    private static func decodeValue(_ raw: UnsafeRawBufferPointer, _ emit: (UInt8) -> Void) -> Bool {
        var heldCR = false
        let decoded = decode(raw) { byte in
            if heldCR {
                heldCR = false
                if byte == 0x0A {
                    emit(0x0A)
                    return
                }
                emit(0x0D)
            }
            if byte == 0x0D { heldCR = true } else { emit(byte) }
        }
        if heldCR { emit(0x0D) }
        return decoded
    }

    /// Emits the decoded bytes of `raw` (`+` is a space, `%XX` a byte); false on a bad escape.
    private static func decode(_ raw: UnsafeRawBufferPointer, _ emit: (UInt8) -> Void) -> Bool {
        var index = 0
        while index < raw.count {
            let byte = raw[index]
            switch byte {
            case UInt8(ascii: "+"):
                emit(0x20)
                index += 1
            case UInt8(ascii: "%"):
                guard index + 2 < raw.count, let high = hexValue(raw[index + 1]), let low = hexValue(raw[index + 2]) else {
                    return false
                }
                emit(high << 4 | low)
                index += 3
            default:
                emit(byte)
                index += 1
            }
        }
        return true
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
