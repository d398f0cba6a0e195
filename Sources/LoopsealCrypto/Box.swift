internal import CSodium

/// Authenticated public-key encryption (`crypto_box_easy`): the recipient learns who sent the
/// message and nobody else can read it. The agent channel (DESIGN.md §7) uses it.
public enum Box {
    /// Nonce size (24).
    public static var nonceBytes: Int { Int(crypto_box_noncebytes()) }
    /// Bytes a box adds to its message (16).
    public static var overhead: Int { Int(crypto_box_macbytes()) }

    /// Boxes `message` from `sender` to `recipient` with a fresh random nonce; returns (nonce, box).
    public static func seal<Bytes: Collection>(_ message: Bytes, to recipient: PublicKey, from sender: Identity) -> (nonce: [UInt8], box: [UInt8]) where Bytes.Element == UInt8 {
        Sodium.ensureInitialized()
        let nonce = Random.bytes(nonceBytes)
        let input = Array(message)
        var out = [UInt8](repeating: 0, count: input.count + overhead)
        let status = sender.secretKey.withPointer { sk in
            crypto_box_easy(&out, input, UInt64(input.count), nonce, recipient.bytes, sk)
        }
        precondition(status == 0, "crypto_box_easy cannot fail for valid keys")
        return (nonce, out)
    }

    /// Opens a box `sender` made for `recipient`; the plaintext lands in secure memory.
    public static func open(_ box: [UInt8], nonce: [UInt8], from sender: PublicKey, to recipient: Identity) throws -> SecureBytes {
        Sodium.ensureInitialized()
        guard nonce.count == nonceBytes, box.count >= overhead else { throw CryptoError.authenticationFailed }
        let plaintext = try SecureBytes(count: box.count - overhead) { _ in }
        let status = plaintext.withPointer { dst in
            recipient.secretKey.withPointer { sk in
                crypto_box_open_easy(dst, box, UInt64(box.count), nonce, sender.bytes, sk)
            }
        }
        guard status == 0 else { throw CryptoError.authenticationFailed }
        return plaintext
    }
}
