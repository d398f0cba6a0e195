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
