internal import CSodium
import Foundation

/// An X25519 secret key (an age identity, `AGE-SECRET-KEY-1…`) and its public key.
/// The secret stays in ``SecureBytes``; only ``encodedSecretKey()`` turns it into text.
public struct Identity: Sendable {
    /// The matching recipient.
    public let publicKey: PublicKey
    let secretKey: SecureBytes

    static let hrp = "AGE-SECRET-KEY-"

    /// Draws a new random key pair.
    public static func generate() throws -> Identity {
        Sodium.ensureInitialized()
        let secret = try SecureBytes.random(count: Int(crypto_box_secretkeybytes()))
        return try Identity(secretKey: secret)
    }

    /// Builds an identity from 32 secret key bytes, deriving the public key like age does
    /// (X25519 of the scalar with the base point).
    public init(secretKey: SecureBytes) throws {
        let expected = Int(crypto_box_secretkeybytes())
        guard secretKey.count == expected else {
            throw CryptoError.invalidLength(what: "an X25519 secret key", expected: expected, got: secretKey.count)
        }
        var pk = [UInt8](repeating: 0, count: PublicKey.byteCount)
        let status = secretKey.withPointer { sk in crypto_scalarmult_base(&pk, sk) }
        guard status == 0 else { throw CryptoError.invalidKeyEncoding("secret key is not a usable X25519 scalar") }
        self.secretKey = secretKey
        self.publicKey = try PublicKey(bytes: pk)
    }

    /// Parses an `AGE-SECRET-KEY-1…` string (surrounding white space is ignored).
    public init(string: String) throws {
        let trimmed = string.trimmingWhitespace()
        guard trimmed.uppercased().hasPrefix("AGE-SECRET-KEY-1") else {
            throw CryptoError.invalidKeyEncoding("identity does not start with AGE-SECRET-KEY-1")
        }
        var (hrp, data) = try Bech32.decode(trimmed)
        defer { data.withUnsafeMutableBytes { if let base = $0.baseAddress { sodium_memzero(base, $0.count) } } }
        guard hrp == Identity.hrp.lowercased() else {
            throw CryptoError.invalidKeyEncoding("identity has prefix '\(hrp.uppercased())', expected 'AGE-SECRET-KEY-'")
        }
        guard data.count == Int(crypto_box_secretkeybytes()) else {
            throw CryptoError.invalidKeyEncoding("identity holds \(data.count) bytes, expected 32")
        }
        try self.init(secretKey: SecureBytes(copying: data))
    }

    /// The `AGE-SECRET-KEY-1…` text. Only `keygen` should call this.
    public func encodedSecretKey() -> String {
        var bytes = secretKey.withUnsafeBytes { Array($0) }
        defer { bytes.withUnsafeMutableBytes { if let base = $0.baseAddress { sodium_memzero(base, $0.count) } } }
        return Bech32.encode(hrp: Identity.hrp, data: bytes).uppercased()
    }
}
