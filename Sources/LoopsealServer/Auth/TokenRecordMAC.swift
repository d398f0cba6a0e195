import LoopsealCrypto

/// The MAC of a shared token record (``TokenRecord/mac``): keyed BLAKE2b-256, under a key the
/// replicas derive from their shared identity file (`serve --session-key`) for purpose
/// ``purpose``, over a canonical, domain-separated encoding of every other field. A record
/// without a valid MAC (written by hand, or under another key) authenticates nothing, so
/// pushing a file to `server/tokens/` cannot mint a token.
public enum TokenRecordMAC {
    /// The purpose the key is derived for; never the web-session key's.
    public static let purpose = "token-record"
    private static let domain = "loopseal/token-record/1"

    /// The key of shared token records derived from `identity`.
    public static func key(identity: Identity) throws -> MACKey {
        try MACKey(identity: identity, purpose: purpose)
    }

    /// The hex MAC of `record` (its ``TokenRecord/mac`` ignored).
    static func mac(of record: TokenRecord, key: MACKey) -> String {
        Hash.hex(key.tag(message(record)))
    }

    /// True when `record` carries the MAC of its fields under `key`; compared in constant time.
    static func isValid(_ record: TokenRecord, key: MACKey) -> Bool {
        guard let mac = record.mac, let tag = bytes(hex: mac) else { return false }
        return key.verify(tag, for: message(record))
    }

    /// Every field but the MAC, each length-prefixed (so no two records share an encoding),
    /// after the domain; workspaces sorted.
    static func message(_ record: TokenRecord) -> [UInt8] {
        var out: [UInt8] = []
        func append(_ text: String) {
            let bytes = Array(text.utf8)
            let count = UInt32(truncatingIfNeeded: bytes.count)
            out += [UInt8(count >> 24), UInt8((count >> 16) & 0xff), UInt8((count >> 8) & 0xff), UInt8(count & 0xff)]
            out += bytes
        }
        append(domain)
        append(record.id)
        append(record.name == nil ? "0" : "1")
        append(record.name ?? "")
        append(record.role.rawValue)
        let workspaces = record.workspaces.sorted()
        append(String(workspaces.count))
        workspaces.forEach(append)
        append(record.hash)
        append(record.createdAt)
        return out
    }

    /// The bytes of 64 lowercase hex digits, else nil.
    private static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count == MACKey.tagLength * 2 else { return nil }
        func value(_ digit: UInt8) -> UInt8? {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
            default: nil
            }
        }
        var out: [UInt8] = []
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = value(digits[index]), let low = value(digits[index + 1]) else { return nil }
            out.append(high << 4 | low)
        }
        return out
    }
}
