internal import CSodium

/// XChaCha20-Poly1305 (IETF) authenticated encryption with associated data.
public enum AEAD {
    /// Key size in bytes (32).
    public static var keyBytes: Int { Int(crypto_aead_xchacha20poly1305_ietf_keybytes()) }
    /// Nonce size in bytes (24).
    public static var nonceBytes: Int { Int(crypto_aead_xchacha20poly1305_ietf_npubbytes()) }
    /// Authentication tag size in bytes (16).
    public static var tagBytes: Int { Int(crypto_aead_xchacha20poly1305_ietf_abytes()) }

    /// Encrypts `plaintext`; returns ciphertext followed by the tag.
    public static func seal(
        _ plaintext: SecureBytes, key: SecureBytes, nonce: [UInt8], associatedData: [UInt8]
    ) throws -> [UInt8] {
        Sodium.ensureInitialized()
        try check(key: key, nonce: nonce)
        var out = [UInt8](repeating: 0, count: plaintext.count + tagBytes)
        var written: UInt64 = 0
        let status = plaintext.withPointer { msg in
            key.withPointer { k in
                crypto_aead_xchacha20poly1305_ietf_encrypt(
                    &out, &written, msg, UInt64(plaintext.count),
                    associatedData, UInt64(associatedData.count), nil, nonce, k)
            }
        }
        guard status == 0 else { throw CryptoError.authenticationFailed }
        return Array(out.prefix(Int(written)))
    }

    /// Decrypts and authenticates `ciphertext` (with its tag); the plaintext lands in secure memory.
    public static func open(
        _ ciphertext: [UInt8], key: SecureBytes, nonce: [UInt8], associatedData: [UInt8]
    ) throws -> SecureBytes {
        Sodium.ensureInitialized()
        try check(key: key, nonce: nonce)
        guard ciphertext.count >= tagBytes else { throw CryptoError.authenticationFailed }
        let plaintext = try SecureBytes(count: ciphertext.count - tagBytes) { _ in }
        var written: UInt64 = 0
        let status = plaintext.withPointer { dst in
            key.withPointer { k in
                crypto_aead_xchacha20poly1305_ietf_decrypt(
                    dst, &written, nil, ciphertext, UInt64(ciphertext.count),
                    associatedData, UInt64(associatedData.count), nonce, k)
            }
        }
        guard status == 0 else { throw CryptoError.authenticationFailed }
        return plaintext
    }

    private static func check(key: SecureBytes, nonce: [UInt8]) throws {
        guard key.count == keyBytes else {
            throw CryptoError.invalidLength(what: "an AEAD key", expected: keyBytes, got: key.count)
        }
        guard nonce.count == nonceBytes else {
            throw CryptoError.invalidLength(what: "an AEAD nonce", expected: nonceBytes, got: nonce.count)
        }
    }
}
