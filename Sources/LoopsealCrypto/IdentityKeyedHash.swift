internal import CSodium

extension Identity {
    /// A keyed BLAKE2b hash of `message` that only the holder of this identity can compute.
    ///
    /// The hash key is `BLAKE2b-256(key: secret key, "loopseal/identity-subkey/1/" + purpose)`,
    /// so the secret key itself is never used as a hash key and different purposes never share
    /// one. The hashed bytes are `length(context) as UInt32 big-endian || context || message`:
    /// binding `context` (say, a workspace and a secret name) makes equal messages in different
    /// contexts hash differently. `length` is 16...64 bytes.
    public func keyedHash(purpose: String, context: [UInt8], message: SecureBytes, length: Int = 16) throws -> [UInt8] {
        let outputLength = min(max(length, Int(crypto_generichash_bytes_min())), Int(crypto_generichash_bytes_max()))
        let subkey = try derivedKey(purpose: purpose)
        let count = UInt32(clamping: context.count)
        let header = [UInt8((count >> 24) & 0xFF), UInt8((count >> 16) & 0xFF), UInt8((count >> 8) & 0xFF), UInt8(count & 0xFF)] + context
        let input = try SecureBytes(count: header.count + message.count) { out in
            out.copyBytes(from: header)
            message.withUnsafeBytes { value in
                UnsafeMutableRawBufferPointer(rebasing: out[header.count...]).copyMemory(from: value)
            }
        }
        var digest = [UInt8](repeating: 0, count: outputLength)
        input.withPointer { bytes in
            subkey.withPointer { key in
                _ = crypto_generichash(&digest, outputLength, bytes, UInt64(input.count), key, subkey.count)
            }
        }
        return digest
    }

    /// The 32-byte key of `purpose`: `BLAKE2b-256(key: secret key, "loopseal/identity-subkey/1/" + purpose)`.
    func derivedKey(purpose: String) throws -> SecureBytes {
        let label = Array("loopseal/identity-subkey/1/\(purpose)".utf8)
        return try SecureBytes(count: Int(crypto_generichash_bytes())) { out in
            guard let base = out.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
            secretKey.withPointer { sk in
                _ = crypto_generichash(base, out.count, label, UInt64(label.count), sk, secretKey.count)
            }
        }
    }
}
