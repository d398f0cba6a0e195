import LoopsealCrypto

/// One change of a multi-secret write (``SecretService/apply(_:identities:overwrite:dryRun:)``).
public enum SecretChange: Sendable {
    /// Give `key` this value, creating the secret when it is missing.
    case set(key: String, value: SecureBytes)
    /// Delete `key`.
    case remove(key: String)

    /// The secret changed.
    public var key: String {
        switch self {
        case .set(let key, _), .remove(let key): return key
        }
    }
}
