import Foundation
import Yams

/// Reads and writes sealed secret files, format 1 (DESIGN.md §3).
///
/// Files Loopseal writes are read by a strict line scanner (fast: listing 10,000 secrets is
/// dominated by the file system). Anything else that is still valid YAML, such as a file
/// re-indented by hand or quoted by another tool, goes through Yams, so errors keep positions.
public enum SealedSecretCodec {
    /// The newest format this build reads and the one it writes.
    public static let formatVersion = 1
    static let header = "# Sealed by loopseal. Change it with `loopseal set`; do not edit by hand.\n"
    static let knownFields = ["loopseal", "id", "key", "value", "recipients"]

    /// The canonical file bytes for `secret`; recipients are sorted for stable diffs.
    public static func encode(_ secret: SealedSecret) -> [UInt8] {
        var text = header
        text += "loopseal: \(formatVersion)\n"
        text += "id: \(secret.id)\n"
        text += "key: \(secret.key)\n"
        if let value = secret.value {
            text += "value: \(Data(value).base64EncodedString())\n"
            text += "recipients:\n"
            for recipient in secret.recipients.keys.sorted() {
                text += "  \(recipient): \(Data(secret.recipients[recipient] ?? []).base64EncodedString())\n"
            }
        }
        return Array(text.utf8)
    }

    /// Parses file bytes; `file` names the file in errors.
    public static func decode(_ bytes: [UInt8], file: String) throws -> SealedSecret {
        let fields = try scan(bytes) ?? parseYAML(bytes, file: file)
        return try build(fields, file: file)
    }

    /// A field with its 1-based position.
    struct Located {
        var text: String
        var line: Int
        var column: Int
    }

    struct Fields {
        var top: [(name: String, value: Located, nameColumn: Int)] = []
        var recipients: [(key: Located, sealed: Located)]?
        var recipientsLine = 0
    }

    /// The fast path: exactly the shape `encode` writes (plus comments and blank lines).
    /// Returns nil for anything else so the YAML path decides.
    static func scan(_ bytes: [UInt8]) -> Fields? {
        var fields = Fields()
        var lineNumber = 0
        var inRecipients = false
        var start = 0
        let count = bytes.count
        while start < count {
            var end = start
            while end < count && bytes[end] != 0x0A { end += 1 }
            lineNumber += 1
            defer { start = end + 1 }
            if end == start { continue }
            let first = bytes[start]
            if first == UInt8(ascii: "#") { continue }
            if first == UInt8(ascii: " ") {
                guard inRecipients, end - start > 2, bytes[start + 1] == UInt8(ascii: " "),
                      let (name, value, _) = splitPair(bytes, start + 2, end)
                else { return nil }
                fields.recipients?.append((
                    Located(text: name, line: lineNumber, column: 3),
                    Located(text: value.text, line: lineNumber, column: value.column + 2)))
                continue
            }
            inRecipients = false
            guard let (name, value, _) = splitPair(bytes, start, end) else { return nil }
            if name == "recipients" {
                guard value.text.isEmpty, fields.recipients == nil else { return nil }
                fields.recipients = []
                fields.recipientsLine = lineNumber
                inRecipients = true
                continue
            }
            guard !value.text.isEmpty else { return nil }
            fields.top.append((name, Located(text: value.text, line: lineNumber, column: value.column), 1))
        }
        return fields
    }

    /// Splits `name: value` made only of plain characters; nil when quoting or anything unusual appears.
    private static func splitPair(_ bytes: [UInt8], _ start: Int, _ end: Int) -> (String, Located, Int)? {
        var colon = start
        while colon < end && bytes[colon] != UInt8(ascii: ":") {
            guard isPlain(bytes[colon]) else { return nil }
            colon += 1
        }
        guard colon < end, colon > start else { return nil }
        let name = String(decoding: bytes[start..<colon], as: UTF8.self)
        var valueStart = colon + 1
        if valueStart == end { return (name, Located(text: "", line: 0, column: 0), 0) }
        guard bytes[valueStart] == UInt8(ascii: " ") else { return nil }
        valueStart += 1
        guard valueStart < end else { return nil }
        for i in valueStart..<end where !isPlain(bytes[i]) { return nil }
        let column = valueStart - start + 1
        return (name, Located(text: String(decoding: bytes[valueStart..<end], as: UTF8.self), line: 0, column: column), column)
    }

    /// Characters that can only mean themselves in a plain YAML scalar here.
    private static func isPlain(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
            || c == UInt8(ascii: "_") || c == UInt8(ascii: "-") || c == UInt8(ascii: "+")
            || c == UInt8(ascii: "/") || c == UInt8(ascii: "=")
    }

    static func parseYAML(_ bytes: [UInt8], file: String) throws -> Fields {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw StoreError.malformed(file: file, line: nil, column: nil, problem: "not UTF-8 text")
        }
        guard let root = try YAMLSource.compose(text, file: file) else {
            throw StoreError.malformed(file: file, line: 1, column: 1, problem: "empty file: not a sealed secret")
        }
        guard case .mapping(let mapping) = root else {
            throw YAMLSource.malformed(file, root, "expected a mapping with 'loopseal:', 'id:', 'key:'")
        }
        var fields = Fields()
        for (nameNode, valueNode) in mapping {
            let name = try YAMLSource.scalar(nameNode, file: file, field: "field name")
            if name == "recipients" {
                fields.recipientsLine = nameNode.mark?.line ?? 0
                if case .scalar(let s) = valueNode, s.string.isEmpty || s.string == "null" {
                    fields.recipients = []
                    continue
                }
                guard case .mapping(let recipients) = valueNode else {
                    throw YAMLSource.malformed(file, valueNode, "'recipients' must map age1… keys to sealed data keys")
                }
                fields.recipients = try recipients.map { keyNode, sealedNode in
                    (Located(text: try YAMLSource.scalar(keyNode, file: file, field: "recipient"),
                             line: keyNode.mark?.line ?? 0, column: keyNode.mark?.column ?? 0),
                     Located(text: try YAMLSource.scalar(sealedNode, file: file, field: "sealed data key"),
                             line: sealedNode.mark?.line ?? 0, column: sealedNode.mark?.column ?? 0))
                }
                continue
            }
            let value = try YAMLSource.scalar(valueNode, file: file, field: name)
            fields.top.append((name, Located(text: value, line: valueNode.mark?.line ?? 0, column: valueNode.mark?.column ?? 0),
                               nameNode.mark?.column ?? 1))
        }
        return fields
    }

    static func build(_ fields: Fields, file: String) throws -> SealedSecret {
        var values: [String: Located] = [:]
        for (name, value, column) in fields.top {
            guard knownFields.contains(name) else {
                throw StoreError.malformed(file: file, line: value.line, column: column,
                                           problem: "unknown field '\(StoreError.printable(name))' (known: \(knownFields.joined(separator: ", "))): written by a newer loopseal?")
            }
            guard values[name] == nil else {
                throw StoreError.malformed(file: file, line: value.line, column: column, problem: "field '\(name)' appears twice")
            }
            values[name] = value
        }
        guard let version = values["loopseal"] else {
            throw StoreError.malformed(file: file, line: 1, column: 1, problem: "missing 'loopseal: 1': not a sealed secret file")
        }
        guard let number = Int(version.text), number >= 1 else {
            throw StoreError.malformed(file: file, line: version.line, column: version.column, problem: "'loopseal' must be a format number")
        }
        guard number <= formatVersion else { throw StoreError.newerFormat(file: file, version: number) }
        guard let id = values["id"] else {
            throw StoreError.malformed(file: file, line: nil, column: nil, problem: "missing 'id'")
        }
        guard isUUID(id.text) else {
            throw StoreError.malformed(file: file, line: id.line, column: id.column, problem: "'id' must be a UUID")
        }
        guard let key = values["key"] else {
            throw StoreError.malformed(file: file, line: nil, column: nil, problem: "missing 'key'")
        }
        guard Names.isValidKey(key.text) else {
            throw StoreError.malformed(file: file, line: key.line, column: key.column, problem: StoreError.invalidKey(key.text).description)
        }
        var sealedValue: [UInt8]?
        if let value = values["value"] {
            sealedValue = try base64(value, file: file, what: "value")
        }
        var recipients: [String: [UInt8]] = [:]
        for (recipient, sealed) in fields.recipients ?? [] {
            guard recipient.text.hasPrefix("age1") else {
                throw StoreError.malformed(file: file, line: recipient.line, column: recipient.column, problem: "recipient must be an age1… public key")
            }
            guard recipients[recipient.text] == nil else {
                throw StoreError.malformed(file: file, line: recipient.line, column: recipient.column, problem: "recipient listed twice")
            }
            recipients[recipient.text] = try base64(sealed, file: file, what: "sealed data key")
        }
        if sealedValue != nil && recipients.isEmpty {
            throw StoreError.malformed(file: file, line: fields.recipientsLine > 0 ? fields.recipientsLine : nil, column: nil,
                                       problem: "a value without 'recipients' can never be opened")
        }
        if sealedValue == nil && !recipients.isEmpty {
            throw StoreError.malformed(file: file, line: fields.recipientsLine, column: 1, problem: "'recipients' without a 'value'")
        }
        return SealedSecret(id: id.text.lowercased(), key: key.text, value: sealedValue, recipients: recipients)
    }

    /// `8-4-4-4-12` hexadecimal digits.
    static func isUUID(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { return false }
        for (index, byte) in bytes.enumerated() {
            if index == 8 || index == 13 || index == 18 || index == 23 {
                guard byte == UInt8(ascii: "-") else { return false }
            } else {
                guard (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66) || (byte >= 0x41 && byte <= 0x46) else { return false }
            }
        }
        return true
    }

    private static func base64(_ field: Located, file: String, what: String) throws -> [UInt8] {
        guard let data = Data(base64Encoded: field.text) else {
            throw StoreError.malformed(file: file, line: field.line, column: field.column, problem: "\(what) is not valid base64")
        }
        return Array(data)
    }
}
