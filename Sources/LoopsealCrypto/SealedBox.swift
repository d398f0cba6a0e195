internal import CSodium

/// libsodium sealed boxes (`crypto_box_seal`): anonymous encryption to a public key.
/// Loopseal seals each secret's 32-byte data key to every recipient this way.
public enum SealedBox {
    /// Bytes a sealed box adds to its message.
    public static var overhead: Int { Int(crypto_box_sealbytes()) }

    /// Seals `message` to `recipient`.
    public static func seal(_ message: SecureBytes, to recipient: PublicKey) -> [UInt8] {
        Sodium.ensureInitialized()
        var out = [UInt8](repeating: 0, count: message.count + overhead)
        let status = message.withPointer { msg in
            crypto_box_seal(&out, msg, UInt64(message.count), recipient.bytes)
        }
        precondition(status == 0, "crypto_box_seal cannot fail for a valid public key")
        return out
    }

    /// Opens a sealed box with `identity`; the plaintext lands in secure memory.
    public static func open(_ box: [UInt8], with identity: Identity) throws -> SecureBytes {
        Sodium.ensureInitialized()
        guard box.count >= overhead else { throw CryptoError.sealedBoxOpenFailed }
        let plaintext = try SecureBytes(count: box.count - overhead) { _ in }
        let status = plaintext.withPointer { dst in
            identity.secretKey.withPointer { sk in
                crypto_box_seal_open(dst, box, UInt64(box.count), identity.publicKey.bytes, sk)
            }
        }
        guard status == 0 else { throw CryptoError.sealedBoxOpenFailed }
        return plaintext
    }
}
