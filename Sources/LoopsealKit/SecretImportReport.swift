import LoopsealStore

/// What `loopseal import` did, or would do: one outcome per key, names only.
public struct SecretImportReport: Sendable {
    /// The file as given, or `stdin`.
    public var source: String
    /// Each key's outcome (added, changed, unchanged, refused) and whether files were written.
    public var result: SecretBatchResult
    /// False when no identity was found: existing values could not be compared, so each counts
    /// as another value.
    public var comparedValues: Bool
    /// True when git tracks the file: its values are in the repository's history and must be
    /// rotated.
    public var trackedByGit: Bool
}
