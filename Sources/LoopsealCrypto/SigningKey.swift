internal import CSodium
import Foundation

/// An Ed25519 signing key (libsodium `crypto_sign`) and its public key. Its text form is the
/// 32-byte seed in bech32, `LOOPSEAL-SIGNING-KEY-1…` (upper case, like age identities); the
/// 64-byte libsodium secret key derived from it stays in ``SecureBytes``.
public struct SigningKey: Sendable {
    /// The matching public key, as listed under `writers:`.
    public let publicKey: SigningPublicKey
    let secretKey: SecureBytes

    static let hrp = "LOOPSEAL-SIGNING-KEY-"
    static var seedBytes: Int { Int(crypto_sign_seedbytes()) }

    /// Draws a new random key.
    public static func generate() throws -> SigningKey {
        try SigningKey(seed: try SecureBytes.random(count: seedBytes))
    }

    /// Derives the key pair from a 32-byte seed (`crypto_sign_seed_keypair`, RFC 8032).
    public init(seed: SecureBytes) throws {
        Sodium.ensureInitialized()
        guard seed.count == SigningKey.seedBytes else {
            throw CryptoError.invalidLength(what: "an Ed25519 seed", expected: SigningKey.seedBytes, got: seed.count)
        }
        var pk = [UInt8](repeating: 0, count: SigningPublicKey.byteCount)
        let secret = try SecureBytes(count: Int(crypto_sign_secretkeybytes())) { buffer in
            guard let sk = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self) else { throw CryptoError.allocationFailed }
            let status = seed.withPointer { crypto_sign_seed_keypair(&pk, sk, $0) }
            guard status == 0 else { throw CryptoError.invalidKeyEncoding("seed does not make an Ed25519 key") }
        }
        self.secretKey = secret
        self.publicKey = try SigningPublicKey(bytes: pk)
    }

    /// Parses a `LOOPSEAL-SIGNING-KEY-1…` string (surrounding white space is ignored).
    public init(string: String) throws {
        let trimmed = string.trimmingWhitespace()
        guard trimmed.uppercased().hasPrefix("\(SigningKey.hrp)1") else {
            throw CryptoError.invalidKeyEncoding("signing key does not start with LOOPSEAL-SIGNING-KEY-1")
        }
        var (hrp, data) = try Bech32.decode(trimmed)
        defer { SecureMemory.zero(&data) }
        guard hrp == SigningKey.hrp.lowercased() else {
            throw CryptoError.invalidKeyEncoding("signing key has prefix '\(hrp.uppercased())', expected 'LOOPSEAL-SIGNING-KEY-'")
        }
        guard data.count == SigningKey.seedBytes else {
            throw CryptoError.invalidKeyEncoding("signing key holds \(data.count) bytes, expected 32")
        }
        try self.init(seed: SecureBytes(copying: data))
    }

    /// The `LOOPSEAL-SIGNING-KEY-1…` text. Only `keygen --signing` should call this.
    public func encodedSecretKey() -> String {
        // libsodium's secret key is seed || public key: the seed is its first 32 bytes.
        var seed = secretKey.withUnsafeBytes { Array($0.prefix(SigningKey.seedBytes)) }
        defer { SecureMemory.zero(&seed) }
        return Bech32.encode(hrp: SigningKey.hrp, data: seed).uppercased()
    }

    /// The 64-byte Ed25519 signature of `message` (`crypto_sign_detached`; deterministic).
    public func sign(_ message: [UInt8]) -> [UInt8] {
        Sodium.ensureInitialized()
        var signature = [UInt8](repeating: 0, count: SigningPublicKey.signatureBytes)
        var length: UInt64 = 0
        let status = secretKey.withPointer { sk in
            crypto_sign_detached(&signature, &length, message, UInt64(message.count), sk)
        }
        precondition(status == 0, "crypto_sign_detached cannot fail for a valid key")
        return signature
    }
}
