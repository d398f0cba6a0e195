internal import CSodium

/// Hash functions from libsodium.
public enum Hash {
    /// SHA-256 (`crypto_hash_sha256`).
    public static func sha256<Bytes: Collection>(_ data: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        Sodium.ensureInitialized()
        var out = [UInt8](repeating: 0, count: Int(crypto_hash_sha256_bytes()))
        let input = Array(data)
        crypto_hash_sha256(&out, input, UInt64(input.count))
        return out
    }

    /// BLAKE2b (`crypto_generichash`), optionally keyed, with a 32-byte output by default.
    public static func blake2b<Bytes: Collection>(_ data: Bytes, key: [UInt8] = [], length: Int = 32) -> [UInt8] where Bytes.Element == UInt8 {
        Sodium.ensureInitialized()
        var out = [UInt8](repeating: 0, count: length)
        let input = Array(data)
        _ = key.withUnsafeBufferPointer { keyBuffer in
            crypto_generichash(&out, length, input, UInt64(input.count), key.isEmpty ? nil : keyBuffer.baseAddress, key.count)
        }
        return out
    }

    /// Lowercase hexadecimal.
    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        var out = ""
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return out
    }
}
