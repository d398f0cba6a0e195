internal import CSodium

/// A keyed BLAKE2b-256 fingerprint of secret bytes, computed in place (the value is never
/// copied out of locked memory). Without the key, the fingerprint tells nothing about the value,
/// not even for a short one that could otherwise be guessed: Loopseal's exposure ledger keys it
/// with a random key sealed only to the recipients who can read the value anyway.
public enum KeyedFingerprint {
    /// The key length: 32 bytes.
    public static let keyBytes = 32
    /// The fingerprint length: 32 bytes.
    public static let length = 32

    /// `BLAKE2b-256(key: key, message: length(context) as UInt32 big-endian || context || value)`.
    /// Binding `context` (say, a secret's name) makes equal values under different names differ.
    public static func compute(key: SecureBytes, context: [UInt8], value: SecureBytes) throws -> [UInt8] {
        guard key.count == keyBytes else { throw CryptoError.invalidLength(what: "fingerprint key", expected: keyBytes, got: key.count) }
        Sodium.ensureInitialized()
        let count = UInt32(clamping: context.count)
        let header = [UInt8((count >> 24) & 0xFF), UInt8((count >> 16) & 0xFF), UInt8((count >> 8) & 0xFF), UInt8(count & 0xFF)] + context
        let stateBytes = crypto_generichash_statebytes()
        let raw = UnsafeMutableRawPointer.allocate(byteCount: stateBytes, alignment: 64)
        defer {
            sodium_memzero(raw, stateBytes)
            raw.deallocate()
        }
        let state = OpaquePointer(raw)
        var digest = [UInt8](repeating: 0, count: length)
        key.withPointer { keyBytes in
            _ = crypto_generichash_init(state, keyBytes, key.count, length)
        }
        _ = crypto_generichash_update(state, header, UInt64(header.count))
        value.withUnsafeBytes { bytes in
            if let base = bytes.baseAddress, bytes.count > 0 {
                _ = crypto_generichash_update(state, base.assumingMemoryBound(to: UInt8.self), UInt64(bytes.count))
            }
        }
        _ = crypto_generichash_final(state, &digest, length)
        return digest
    }
}
