import LoopsealStore

/// The differences between what `loopseal edit` showed and what came back: only these are
/// written. Names only.
public struct SecretEditChanges: Sendable {
    /// The writes, in the edited file's order, removals last.
    public var changes: [SecretChange]
    /// Names that are new (or requested secrets that get a value).
    public var added: [String]
    /// Names whose value changed.
    public var changed: [String]
    /// Names deleted from the text: their secrets are deleted.
    public var removed: [String]

    /// True when the text holds the same secrets with the same values.
    public var isEmpty: Bool { changes.isEmpty }
}
