import LoopsealCrypto

/// How a merge conflict in a sealed file is settled.
public enum ConflictChoice: Sendable {
    /// Keep our side's file.
    case ours
    /// Keep their side's file.
    case theirs
    /// Seal this value (chosen or written by a person), keeping the secret's id.
    case value(SecureBytes)
}
