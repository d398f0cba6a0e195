import LoopsealDiagnostics

/// Errors from ``LoopsealCrypto``. None of them carries key material or plaintext.
public enum CryptoError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A recipient or identity string is not valid bech32 of the expected kind.
    case invalidKeyEncoding(String)
    /// A sealed box could not be opened with the given identity (wrong key or tampered).
    case sealedBoxOpenFailed
    /// An AEAD ciphertext failed to authenticate (tampered, wrong key or wrong associated data).
    case authenticationFailed
    /// Input of the wrong size was given to a primitive.
    case invalidLength(what: String, expected: Int, got: Int)
    /// libsodium could not allocate guarded memory.
    case allocationFailed
    /// A value meant for a C string (after `prefix`, such as `KEY=`) holds a NUL byte.
    case embeddedNUL(prefix: String)

    public var description: String {
        switch self {
        case .invalidKeyEncoding(let reason): return reason
        case .sealedBoxOpenFailed: return "the sealed data key could not be opened with this identity (wrong key or tampered file)"
        case .authenticationFailed: return "the value failed to authenticate (tampered file, or ciphertext moved from another key)"
        case .invalidLength(let what, let expected, let got): return "\(what) must be \(expected) bytes, got \(got)"
        case .allocationFailed: return "could not allocate locked memory for secret material"
        case .embeddedNUL(let prefix): return "the value after '\(prefix)' holds a NUL byte and cannot be a C string"
        }
    }
}

extension CryptoError: LoopsealError {}
