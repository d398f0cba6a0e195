internal import CSodium

/// A secret key for message authentication codes: keyed BLAKE2b-256 (`crypto_generichash`
/// with a key). Built from an identity for one purpose (``init(identity:purpose:)``), so the
/// identity's secret key is never used as a MAC key itself and every purpose gets its own key.
public struct MACKey: Sendable {
    /// The length of a tag, in bytes.
    public static let tagLength = 32
    private let key: SecureBytes

    /// The key of `purpose` derived from `identity`:
    /// `BLAKE2b-256(key: secret key, "loopseal/identity-subkey/1/mac/" + purpose)`. Everyone
    /// holding the same identity derives the same key; nobody can without it.
    public init(identity: Identity, purpose: String) throws {
        key = try identity.derivedKey(purpose: "mac/\(purpose)")
    }

    /// A random key (for a single process: a test, or sessions no other process checks).
    public static func random() throws -> MACKey {
        try MACKey(key: SecureBytes.random(count: Int(crypto_generichash_keybytes())))
    }

    private init(key: SecureBytes) {
        self.key = key
    }

    /// The tag of `message` (``tagLength`` bytes).
    public func tag<Bytes: Collection>(_ message: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        var out = [UInt8](repeating: 0, count: Self.tagLength)
        let input = Array(message)
        key.withPointer { keyBytes in
            _ = crypto_generichash(&out, out.count, input, UInt64(input.count), keyBytes, key.count)
        }
        return out
    }

    /// True when `tag` is the tag of `message`; compared in constant time (`sodium_memcmp`).
    public func verify<Bytes: Collection>(_ tag: [UInt8], for message: Bytes) -> Bool where Bytes.Element == UInt8 {
        let expected = self.tag(message)
        guard tag.count == expected.count else { return false }
        return sodium_memcmp(tag, expected, expected.count) == 0
    }
}
