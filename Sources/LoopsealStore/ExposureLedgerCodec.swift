import Foundation
import LoopsealCrypto
import Yams

/// Reads and writes `exposure.yaml` (``ExposureLedger``). The file is meant to be read in
/// review, so it is written by hand, one field per line; reading refuses anything it does not
/// know, by file, line and column, without echoing more than a short printable excerpt.
public enum ExposureLedgerCodec {
    /// The ledger's format version.
    public static let version = 1

    /// The ledger as YAML.
    public static func encode(_ ledger: ExposureLedger) -> [UInt8] {
        var text = """
            # Loopseal exposure ledger: who was removed from the recipients, and which secrets they
            # could read then. It holds no value: 'sealed' hashes the sealed value, 'value' is keyed by
            # a key sealed only to the recipients left. 'loopseal exposure' lists what is still exposed.
            version: \(version)
            removals:

            """
        if ledger.removals.isEmpty { text = text.replacingOccurrences(of: "removals:\n", with: "removals: []\n") }
        for removal in ledger.removals {
            text += "  - recipient: \(removal.recipient)\n"
            text += "    publicKey: \(removal.publicKey)\n"
            text += "    removedAt: \(quoted(removal.removedAt))\n"
            text += "    removedBy: \(quoted(removal.removedBy))\n"
            if removal.fingerprintKey.isEmpty {
                text += "    fingerprintKey: {}\n"
            } else {
                text += "    fingerprintKey:\n"
                for (recipient, box) in removal.fingerprintKey.sorted(by: { $0.key < $1.key }) {
                    // The sealed key is random bytes by design: the comment lets the pre-commit token check pass it.
                    text += "      \(recipient): \(Data(box).base64EncodedString())  # loopseal:allow (sealed to this recipient)\n"
                }
            }
            text += removal.secrets.isEmpty ? "    secrets: []\n" : "    secrets:\n"
            for secret in removal.secrets {
                text += "      - key: \(secret.key)\n"
                text += "        sealed: \(secret.sealed)\n"
                if let value = secret.value { text += "        value: \(value)\n" }
            }
        }
        return Array(text.utf8)
    }

    /// Parses a ledger; every problem names `file`, line and column.
    public static func decode(_ bytes: [UInt8], file: String) throws -> ExposureLedger {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw StoreError.malformed(file: file, line: nil, column: nil, problem: "not UTF-8 text")
        }
        if let line = ConflictMarkers.firstLine(in: bytes) { throw StoreError.mergeConflict(file: file, line: line) }
        guard let root = try YAMLSource.compose(text, file: file) else { return ExposureLedger() }
        let fields = try mapping(root, file: file, what: "the ledger", known: ["version", "removals"])
        guard let versionNode = fields["version"] else { throw YAMLSource.malformed(file, root, "missing 'version: \(version)'") }
        let found = try YAMLSource.scalar(versionNode, file: file, field: "version")
        guard found == "\(version)" else {
            if let newer = Int(found), newer > version { throw StoreError.newerFormat(file: file, version: newer) }
            throw YAMLSource.malformed(file, versionNode, "'version' must be \(version)")
        }
        guard let removals = fields["removals"] else { return ExposureLedger() }
        return ExposureLedger(removals: try list(removals, file: file, what: "removals").map { try removal($0, file: file) })
    }

    private static func removal(_ node: Node, file: String) throws -> ExposureLedger.Removal {
        let fields = try mapping(node, file: file, what: "a removal",
                                 known: ["recipient", "publicKey", "removedAt", "removedBy", "fingerprintKey", "secrets"])
        func text(_ name: String, check: (String) -> Bool, hint: String) throws -> String {
            guard let value = fields[name] else { throw YAMLSource.malformed(file, node, "a removal needs '\(name)'") }
            let string = try YAMLSource.scalar(value, file: file, field: name)
            guard check(string) else { throw YAMLSource.malformed(file, value, "'\(name)' \(hint)") }
            return string
        }
        let printable: (String) -> Bool = { !$0.isEmpty && $0.count <= 200 && !$0.unicodeScalars.contains { $0.properties.generalCategory == .control } }
        var boxes: [String: [UInt8]] = [:]
        if let keys = fields["fingerprintKey"] {
            for (recipient, box) in try mapping(keys, file: file, what: "'fingerprintKey'", known: nil) {
                guard (try? PublicKey(string: recipient)) != nil else {
                    throw YAMLSource.malformed(file, keys, "'fingerprintKey' maps age1… public keys to sealed keys; '\(StoreError.printable(recipient))' is not one")
                }
                let encoded = try YAMLSource.scalar(box, file: file, field: "fingerprintKey")
                guard let data = Data(base64Encoded: encoded), data.count == KeyedFingerprint.keyBytes + SealedBox.overhead else {
                    throw YAMLSource.malformed(file, box, "a sealed fingerprint key must be \(KeyedFingerprint.keyBytes + SealedBox.overhead) bytes in base64")
                }
                boxes[recipient] = Array(data)
            }
        }
        let secrets = try fields["secrets"].map { try list($0, file: file, what: "secrets").map { try secret($0, file: file) } } ?? []
        return ExposureLedger.Removal(
            recipient: try text("recipient", check: Names.isValidRecipientName, hint: "must be a recipient name ([A-Za-z0-9._@+-])"),
            publicKey: try text("publicKey", check: { (try? PublicKey(string: $0)) != nil }, hint: "must be an age1… public key"),
            removedAt: try text("removedAt", check: printable, hint: "must be a date on one line"),
            removedBy: try text("removedBy", check: printable, hint: "must be a name on one line, at most 200 characters"),
            fingerprintKey: boxes, secrets: secrets)
    }

    private static func secret(_ node: Node, file: String) throws -> ExposureLedger.Secret {
        let fields = try mapping(node, file: file, what: "a secret", known: ["key", "sealed", "value"])
        guard let keyNode = fields["key"], let sealedNode = fields["sealed"] else {
            throw YAMLSource.malformed(file, node, "a secret needs 'key' and 'sealed'")
        }
        let key = try YAMLSource.scalar(keyNode, file: file, field: "key")
        guard Names.isValidKey(key) else { throw YAMLSource.malformed(file, keyNode, "invalid secret key '\(StoreError.printable(key))'") }
        func hex(_ node: Node, _ field: String) throws -> String {
            let string = try YAMLSource.scalar(node, file: file, field: field)
            guard string.utf8.count == 64, string.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
                throw YAMLSource.malformed(file, node, "'\(field)' must be 64 lowercase hex digits (a BLAKE2b-256 fingerprint)")
            }
            return string
        }
        return ExposureLedger.Secret(key: key, sealed: try hex(sealedNode, "sealed"), value: try fields["value"].map { try hex($0, "value") })
    }

    /// A mapping's fields by name; a field not in `known` (when given) or given twice is an error.
    private static func mapping(_ node: Node, file: String, what: String, known: [String]?) throws -> [String: Node] {
        guard case .mapping(let mapping) = node else { throw YAMLSource.malformed(file, node, "\(what) must be a mapping") }
        var fields: [String: Node] = [:]
        for (keyNode, value) in mapping {
            let name = try YAMLSource.scalar(keyNode, file: file, field: "field name")
            if let known, !known.contains(name) {
                throw YAMLSource.malformed(file, keyNode, "unknown field '\(StoreError.printable(name))' in \(what) (known: \(known.joined(separator: ", ")))")
            }
            guard fields[name] == nil else { throw YAMLSource.malformed(file, keyNode, "'\(StoreError.printable(name))' appears twice") }
            fields[name] = value
        }
        return fields
    }

    private static func list(_ node: Node, file: String, what: String) throws -> [Node] {
        guard case .sequence(let sequence) = node else { throw YAMLSource.malformed(file, node, "'\(what)' must be a list") }
        return Array(sequence)
    }

    /// A YAML double-quoted scalar (JSON escapes are valid YAML).
    private static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F: out += String(format: "\\u%04X", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
