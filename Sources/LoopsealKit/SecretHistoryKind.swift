/// What one commit did to a secret's file, as `loopseal log` shows it. The raw values are the
/// stable names of `log --json`'s `kind`.
public enum SecretHistoryKind: String, Sendable, Equatable, CaseIterable {
    /// The file appeared with a value.
    case created
    /// The value is different: decided from the values, opened with an identity.
    case valueChanged
    /// The value is the same (same ciphertext, or equal values when opened); only the
    /// recipients, or the sealing, changed.
    case resealed
    /// The ciphertext changed and no identity could open both versions to tell which.
    case valueOrSealingChanged
    /// The file has no value: the secret was requested but not set.
    case declared
    /// The file was removed.
    case deleted
    /// This version of the file does not parse (its problem says why).
    case unreadable

    /// How the history names it.
    public var text: String {
        switch self {
        case .created: return "created"
        case .valueChanged: return "value changed"
        case .resealed: return "re-sealed only"
        case .valueOrSealingChanged: return "value or sealing changed"
        case .declared: return "declared (no value)"
        case .deleted: return "deleted"
        case .unreadable: return "unreadable"
        }
    }
}
