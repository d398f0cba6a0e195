import Foundation
import LoopsealCrypto
import Yams

/// Reads and writes sealed secret files (DESIGN.md §3; specified in docs/FORMAT.md): format 1,
/// and format 2 for a file with metadata (owner, due dates, description). A file without
/// metadata is written in format 1, byte for byte as before format 2 existed.
///
/// Files Loopseal writes are read by a strict line scanner (fast: listing 10,000 secrets is
/// dominated by the file system). Anything else that is still valid YAML, such as a file
/// re-indented by hand or quoted by another tool, goes through Yams, so errors keep positions.
public enum SealedSecretCodec {
    /// The newest format this build reads: 2, the one it writes for files with metadata.
    public static let formatVersion = 2
    static let header = "# Sealed by loopseal. Change it with `loopseal set`; do not edit by hand.\n"
    static let metadataFields = ["owner", "expires", "rotateEvery", "rotated", "description"]
    static let knownFields = ["loopseal", "id", "key", "value", "recipients"] + metadataFields + ["signature"]
    static let signatureFields = ["writer", "ed25519"]

    /// The canonical file bytes for `secret`; recipients are sorted for stable diffs and the
    /// signature, when there is one, comes last.
    public static func encode(_ secret: SealedSecret) -> [UInt8] {
        var text = header + body(secret)
        if let signature = secret.signature {
            text += "signature:\n"
            text += "  writer: \(signature.writer)\n"
            text += "  ed25519: \(Data(signature.ed25519).base64EncodedString())\n"
        }
        return Array(text.utf8)
    }

    /// The content lines of the canonical file, from `loopseal:` to the last recipient and the
    /// metadata lines: what a writer's signature covers
    /// (``WriterSignatures/signedBytes(of:workspaceID:writer:)``).
    static func body(_ secret: SealedSecret) -> String {
        var text = "loopseal: \(secret.metadata.isEmpty ? 1 : 2)\n"
        text += "id: \(secret.id)\n"
        text += "key: \(secret.key)\n"
        if let value = secret.value {
            text += "value: \(Data(value).base64EncodedString())\n"
            text += "recipients:\n"
            for recipient in secret.recipients.keys.sorted() {
                text += "  \(recipient): \(Data(secret.recipients[recipient] ?? []).base64EncodedString())\n"
            }
        }
        let metadata = secret.metadata
        if let owner = metadata.owner { text += "owner: \(owner)\n" }
        if let expires = metadata.expires { text += "expires: \(expires)\n" }
        if let rotateEvery = metadata.rotateEvery { text += "rotateEvery: \(rotateEvery)\n" }
        if let rotated = metadata.rotated { text += "rotated: \(rotated)\n" }
        if let description = metadata.description { text += "description: \(quoted(description))\n" }
        return text
    }

    /// `"text"` with `"` and `\\` escaped by a backslash: a YAML double-quoted scalar (and a
    /// JSON string) for a valid description, which holds no control characters.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for character in text.unicodeScalars {
            if character == "\"" || character == "\\" { out.unicodeScalars.append("\\") }
            out.unicodeScalars.append(character)
        }
        return out + "\""
    }

    /// Parses file bytes; `file` names the file in errors.
    /// A file with git conflict markers is a ``StoreError/mergeConflict(file:line:)``.
    public static func decode(_ bytes: [UInt8], file: String) throws -> SealedSecret {
        if let fields = scan(bytes) { return try build(fields, file: file) }
        if let line = ConflictMarkers.firstLine(in: bytes) { throw StoreError.mergeConflict(file: file, line: line) }
        let fields = try parseYAML(bytes, file: file)
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
        var signature: [(name: Located, value: Located)]?
        var signatureLine = 0
    }

    /// The block an indented line of the fast path belongs to.
    private enum Block { case none, recipients, signature }

    /// The fast path: exactly the shape `encode` writes (plus comments and blank lines).
    /// Returns nil for anything else so the YAML path decides.
    static func scan(_ bytes: [UInt8]) -> Fields? {
        var fields = Fields()
        var lineNumber = 0
        var block = Block.none
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
                guard block != .none, end - start > 2, bytes[start + 1] == UInt8(ascii: " "),
                      let (name, value, _) = splitPair(bytes, start + 2, end), !value.text.isEmpty
                else { return nil }
                let entry = (Located(text: name, line: lineNumber, column: 3),
                             Located(text: value.text, line: lineNumber, column: value.column + 2))
                if block == .recipients { fields.recipients?.append(entry) } else { fields.signature?.append(entry) }
                continue
            }
            block = .none
            if let description = quotedDescription(bytes, start, end) {
                fields.top.append(("description", Located(text: description, line: lineNumber, column: 14), 1))
                continue
            }
            guard let (name, value, _) = splitPair(bytes, start, end) else { return nil }
            if name == "recipients" {
                guard value.text.isEmpty, fields.recipients == nil else { return nil }
                fields.recipients = []
                fields.recipientsLine = lineNumber
                block = .recipients
                continue
            }
            if name == "signature" {
                guard value.text.isEmpty, fields.signature == nil else { return nil }
                fields.signature = []
                fields.signatureLine = lineNumber
                block = .signature
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

    /// Characters that can only mean themselves in a plain YAML scalar here (after its first
    /// character, which no field allows to be `.` or `@`).
    private static func isPlain(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
            || c == UInt8(ascii: "_") || c == UInt8(ascii: "-") || c == UInt8(ascii: "+")
            || c == UInt8(ascii: "/") || c == UInt8(ascii: "=") || c == UInt8(ascii: ".") || c == UInt8(ascii: "@")
    }

    /// The text of a line `description: "…"` as ``quoted(_:)`` writes it (only `\"` and `\\`
    /// escapes, nothing after the closing quote, UTF-8 without control characters); nil for
    /// anything else, which the YAML path then reads.
    private static func quotedDescription(_ bytes: [UInt8], _ start: Int, _ end: Int) -> String? {
        let prefix = Array("description: \"".utf8)
        guard end - start > prefix.count + 1, bytes[end - 1] == UInt8(ascii: "\""),
              Array(bytes[start..<(start + prefix.count)]) == prefix else { return nil }
        var text: [UInt8] = []
        var index = start + prefix.count
        while index < end - 1 {
            var byte = bytes[index]
            if byte == UInt8(ascii: "\"") || byte < 0x20 || byte == 0x7F { return nil }
            if byte == UInt8(ascii: "\\") {
                index += 1
                guard index < end - 1, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "\\") else { return nil }
                byte = bytes[index]
            }
            text.append(byte)
            index += 1
        }
        return String(validating: text, as: UTF8.self)
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
                fields.recipients = try recipients.map {
                    (try located($0, file: file, field: "recipient"), try located($1, file: file, field: "sealed data key"))
                }
                continue
            }
            if name == "signature" {
                fields.signatureLine = nameNode.mark?.line ?? 0
                guard case .mapping(let entries) = valueNode else {
                    throw YAMLSource.malformed(file, valueNode, "'signature' must map 'writer' and 'ed25519' to their values")
                }
                fields.signature = try entries.map {
                    (try located($0, file: file, field: "signature field"), try located($1, file: file, field: "signature value"))
                }
                continue
            }
            let value = try YAMLSource.scalar(valueNode, file: file, field: name)
            fields.top.append((name, Located(text: value, line: valueNode.mark?.line ?? 0, column: valueNode.mark?.column ?? 0),
                               nameNode.mark?.column ?? 1))
        }
        return fields
    }

    /// The scalar of `node` with its position.
    static func located(_ node: Node, file: String, field: String) throws -> Located {
        Located(text: try YAMLSource.scalar(node, file: file, field: field), line: node.mark?.line ?? 0, column: node.mark?.column ?? 0)
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
            guard isRecipientText(recipient.text) else {
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
        let metadata = try buildMetadata(values, file: file)
        if number == 1, let name = metadataFields.first(where: { values[$0] != nil }), let field = values[name] {
            throw StoreError.malformed(file: file, line: field.line, column: 1,
                                       problem: "'\(name)' needs 'loopseal: 2' (metadata came with format 2)")
        }
        if number == 2 && metadata.isEmpty {
            throw StoreError.malformed(file: file, line: version.line, column: version.column,
                                       problem: "format 2 without metadata: a file without metadata is written as 'loopseal: 1'")
        }
        let signature = try fields.signature.map { try buildSignature($0, line: fields.signatureLine, file: file) }
        return SealedSecret(id: id.text.lowercased(), key: key.text, value: sealedValue, recipients: recipients,
                            signature: signature, metadata: metadata)
    }

    /// The metadata fields of format 2, each checked for its form (docs/FORMAT.md §2).
    static func buildMetadata(_ values: [String: Located], file: String) throws -> SecretMetadata {
        func refuse(_ field: Located, _ problem: String) -> StoreError {
            StoreError.malformed(file: file, line: field.line, column: field.column, problem: problem)
        }
        var metadata = SecretMetadata()
        if let owner = values["owner"] {
            guard SecretMetadata.isValidOwner(owner.text) else { throw refuse(owner, "'owner' must be \(SecretMetadata.ownerForm)") }
            metadata.owner = owner.text
        }
        for name in ["expires", "rotated"] {
            guard let field = values[name] else { continue }
            guard let date = CalendarDate(string: field.text) else { throw refuse(field, "'\(name)' must be a date, YYYY-MM-DD") }
            if name == "expires" { metadata.expires = date } else { metadata.rotated = date }
        }
        if let rotateEvery = values["rotateEvery"] {
            guard let period = RotationPeriod(string: rotateEvery.text) else {
                throw refuse(rotateEvery, "'rotateEvery' must be \(RotationPeriod.grammar)")
            }
            metadata.rotateEvery = period
        }
        if let description = values["description"] {
            guard SecretMetadata.isValidDescription(description.text) else {
                throw refuse(description, "'description' must be one line of 1-\(SecretMetadata.descriptionLimit) printable characters, without spaces at either end")
            }
            metadata.description = description.text
        }
        return metadata
    }

    /// `writer: loopsealsign1…` and `ed25519: <base64 of 64 bytes>`, each exactly once.
    static func buildSignature(_ entries: [(name: Located, value: Located)], line: Int, file: String) throws -> SealedSecret.Signature {
        var values: [String: Located] = [:]
        for (name, value) in entries {
            guard signatureFields.contains(name.text) else {
                throw StoreError.malformed(file: file, line: name.line, column: name.column,
                                           problem: "unknown signature field '\(StoreError.printable(name.text))' (known: \(signatureFields.joined(separator: ", ")))")
            }
            guard values[name.text] == nil else {
                throw StoreError.malformed(file: file, line: name.line, column: name.column, problem: "signature field '\(name.text)' appears twice")
            }
            values[name.text] = value
        }
        guard let writerText = values["writer"], let signatureText = values["ed25519"] else {
            throw StoreError.malformed(file: file, line: line > 0 ? line : nil, column: 1,
                                       problem: "'signature' must hold both 'writer' and 'ed25519'")
        }
        let writer: SigningPublicKey
        do {
            writer = try SigningPublicKey(string: writerText.text)
        } catch {
            throw StoreError.malformed(file: file, line: writerText.line, column: writerText.column,
                                       problem: "signature writer must be a loopsealsign1… public key (\(error))")
        }
        let bytes = try base64(signatureText, file: file, what: "signature")
        guard bytes.count == SigningPublicKey.signatureBytes else {
            throw StoreError.malformed(file: file, line: signatureText.line, column: signatureText.column,
                                       problem: "signature must be \(SigningPublicKey.signatureBytes) bytes, got \(bytes.count)")
        }
        return SealedSecret.Signature(writer: writer, ed25519: bytes)
    }

    /// `age1` followed by lowercase bech32 characters only, so a recipient can never carry a
    /// line break or a `:` into the signed bytes.
    static func isRecipientText(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count > 4, bytes[0] == UInt8(ascii: "a"), bytes[1] == UInt8(ascii: "g"),
              bytes[2] == UInt8(ascii: "e"), bytes[3] == UInt8(ascii: "1") else { return false }
        return bytes[4...].allSatisfy { $0 < 128 && bech32Table[Int($0)] }
    }

    private static let bech32Table: [Bool] = (0..<128).map { "qpzry9x8gf2tvdw0s3jn54khce6mua7l".utf8.contains(UInt8($0)) }

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

    /// Standard base64 with padding, in its one canonical spelling (unused bits zero), so the
    /// bytes a signature covers have exactly one text form.
    private static func base64(_ field: Located, file: String, what: String) throws -> [UInt8] {
        guard let data = Data(base64Encoded: field.text), unusedBitsAreZero(field.text) else {
            throw StoreError.malformed(file: file, line: field.line, column: field.column, problem: "\(what) is not valid base64")
        }
        return Array(data)
    }

    /// For padded base64 that decoded: true when the character before the padding carries no
    /// set bits beyond the data (2 spare bits before `=`, 4 before `==`).
    private static func unusedBitsAreZero(_ text: String) -> Bool {
        var padding = 0
        for byte in text.utf8.reversed() {
            if byte == UInt8(ascii: "=") { padding += 1; continue }
            let value: UInt8
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = byte - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = byte - UInt8(ascii: "a") + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = byte - UInt8(ascii: "0") + 52
            case UInt8(ascii: "+"): value = 62
            default: value = 63
            }
            return padding == 0 || value & (padding == 1 ? 0b11 : 0b1111) == 0
        }
        return true
    }
}
