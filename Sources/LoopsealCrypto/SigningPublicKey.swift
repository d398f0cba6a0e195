internal import CSodium
import Foundation

/// An Ed25519 public key of a writer (libsodium `crypto_sign`), written in bech32 as
/// `loopsealsign1…` (32 key bytes, human-readable part `loopsealsign`).
public struct SigningPublicKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The raw 32 key bytes.
    public let bytes: [UInt8]

    static let hrp = "loopsealsign"
    static var byteCount: Int { Int(crypto_sign_publickeybytes()) }
    /// Size of an Ed25519 signature in bytes (64).
    public static var signatureBytes: Int { Int(crypto_sign_bytes()) }

    /// Wraps raw key bytes; refuses bytes that are not a usable Ed25519 point.
    public init(bytes: [UInt8]) throws {
        Sodium.ensureInitialized()
        guard bytes.count == SigningPublicKey.byteCount else {
            throw CryptoError.invalidLength(what: "an Ed25519 public key", expected: SigningPublicKey.byteCount, got: bytes.count)
        }
        guard crypto_core_ed25519_is_valid_point(bytes) == 1 else {
            throw CryptoError.invalidKeyEncoding("signing key is not a valid Ed25519 public key")
        }
        self.bytes = bytes
    }

    /// Parses a `loopsealsign1…` string, validating its checksum.
    public init(string: String) throws {
        let trimmed = string.trimmingWhitespace()
        guard trimmed.lowercased().hasPrefix("\(SigningPublicKey.hrp)1") else {
            throw CryptoError.invalidKeyEncoding("signing key '\(trimmed.prefix(16))…' does not start with loopsealsign1")
        }
        let (hrp, data) = try Bech32.decode(trimmed)
        guard hrp == SigningPublicKey.hrp else {
            throw CryptoError.invalidKeyEncoding("signing key has prefix '\(hrp)', expected 'loopsealsign'")
        }
        guard data.count == SigningPublicKey.byteCount else {
            throw CryptoError.invalidKeyEncoding("signing key holds \(data.count) bytes, expected 32")
        }
        try self.init(bytes: data)
    }

    /// The `loopsealsign1…` encoding.
    public var description: String { Bech32.encode(hrp: SigningPublicKey.hrp, data: bytes) }

    /// True when `signature` is this key's Ed25519 signature of exactly `message`
    /// (`crypto_sign_verify_detached`).
    public func isValidSignature(_ signature: [UInt8], of message: [UInt8]) -> Bool {
        Sodium.ensureInitialized()
        guard signature.count == SigningPublicKey.signatureBytes else { return false }
        return crypto_sign_verify_detached(signature, message, UInt64(message.count), bytes) == 0
    }

    /// Orders by the `loopsealsign1…` string.
    public static func < (lhs: SigningPublicKey, rhs: SigningPublicKey) -> Bool { lhs.description < rhs.description }
}
