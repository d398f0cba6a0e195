internal import CSodium
import Foundation

/// An X25519 recipient public key, written as an age recipient (`age1…`).
public struct PublicKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The raw 32 key bytes.
    public let bytes: [UInt8]

    static let hrp = "age"
    static var byteCount: Int { Int(crypto_box_publickeybytes()) }

    /// Wraps raw key bytes.
    public init(bytes: [UInt8]) throws {
        guard bytes.count == PublicKey.byteCount else {
            throw CryptoError.invalidLength(what: "an X25519 public key", expected: PublicKey.byteCount, got: bytes.count)
        }
        self.bytes = bytes
    }

    /// Parses an `age1…` recipient string, validating its checksum.
    public init(string: String) throws {
        let trimmed = string.trimmingWhitespace()
        guard trimmed.lowercased().hasPrefix("age1") else {
            throw CryptoError.invalidKeyEncoding("recipient '\(trimmed.prefix(12))…' does not start with age1")
        }
        let (hrp, data) = try Bech32.decode(trimmed)
        guard hrp == PublicKey.hrp else {
            throw CryptoError.invalidKeyEncoding("recipient has prefix '\(hrp)', expected 'age'")
        }
        guard data.count == PublicKey.byteCount else {
            throw CryptoError.invalidKeyEncoding("recipient holds \(data.count) bytes, expected 32")
        }
        self.bytes = data
    }

    /// The `age1…` encoding.
    public var description: String { Bech32.encode(hrp: PublicKey.hrp, data: bytes) }

    /// Orders by the `age1…` string so sorted lists match what people see in files.
    public static func < (lhs: PublicKey, rhs: PublicKey) -> Bool { lhs.description < rhs.description }
}
