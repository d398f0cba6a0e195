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

/// What a write did, or would do, to one secret. Names only: never a value.
public enum SecretWriteOutcome: String, Sendable, Equatable {
    /// A new secret, or a value for a declared one.
    case added
    /// A new value replaced the old one.
    case changed
    /// The value was already this one: the file was left byte for byte as it was.
    case unchanged
    /// The secret was deleted.
    case removed
    /// The secret exists with another value (or one this identity cannot open) and overwriting
    /// was not allowed: nothing was written.
    case refused
}

/// The outcome of a multi-secret write: one entry per change, in the order given.
public struct SecretBatchResult: Sendable {
    /// `(key, outcome)` per change.
    public var outcomes: [(key: String, outcome: SecretWriteOutcome)]
    /// True when files were written (false for a dry run, a refusal or when nothing changed).
    public var written: Bool

    /// Creates a result.
    public init(outcomes: [(key: String, outcome: SecretWriteOutcome)], written: Bool) {
        self.outcomes = outcomes
        self.written = written
    }

    /// True when some change was refused (and so nothing was written).
    public var refused: Bool { outcomes.contains { $0.outcome == .refused } }
}
